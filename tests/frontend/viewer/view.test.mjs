// View arithmetic: physical aspect when fitting, zoom/pan, W/L drag speed, presets, fallbacks.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dragWindow,
  fitScale,
  formatWindow,
  PRESETS,
  panBy,
  paneRange,
  paneWindow,
  presetWindow,
  resetView,
  viewTransform,
  zoomBy,
} from '../../../frontend/viewer/view.js';

test('a square image fits the short side of the pane and is centred', () => {
  const t = viewTransform(resetView(256, 256), 800, 600, 256, 256, [1, 1]);
  assert.equal(t.a, 600 / 256);
  assert.equal(t.d, 600 / 256);
  assert.equal(t.e, 400 - 128 * t.a);
  assert.equal(t.f, 0);
});

test('anisotropic pixel spacing keeps the physical aspect ratio', () => {
  // 256 rows x 128 columns, columns 2 mm apart, rows 1 mm apart: a 256 x 256 mm square
  const { sx, sy } = fitScale(500, 500, 256, 128, [1, 2]);
  assert.equal(sx * 128, 500);
  assert.equal(sy * 256, 500);
  assert.equal(sx / sy, 2);
});

test('missing or bad pixel spacing falls back to square pixels', () => {
  assert.deepEqual(fitScale(100, 100, 10, 10, null), fitScale(100, 100, 10, 10, [1, 1]));
  assert.deepEqual(fitScale(100, 100, 10, 10, [0, -1]), fitScale(100, 100, 10, 10, [1, 1]));
});

test('zooming up enlarges, within limits, and panning moves the image with the mouse', () => {
  const v = resetView(100, 100);
  assert.ok(zoomBy(v, -100).zoom > 1);
  assert.ok(zoomBy(v, 100).zoom < 1);
  assert.equal(zoomBy(v, -1e6).zoom, 16);
  const t = viewTransform(v, 200, 200, 100, 100, [1, 1]); // 2 css px per image pixel
  assert.deepEqual(panBy(v, 20, -10, t), { zoom: 1, cx: 40, cy: 55 });
});

test('window drag speed scales with the intensity range', () => {
  const narrow = dragWindow({ center: 50, width: 100 }, 40, 0, { low: 0, high: 100 });
  const wide = dragWindow({ center: 5000, width: 10000 }, 40, 0, { low: 0, high: 10000 });
  assert.equal(narrow.width - 100, 10);
  assert.equal(wide.width - 10000, 1000);
  assert.equal(dragWindow({ center: 0, width: 10 }, 0, 40, { low: 0, high: 400 }).center, 40);
  assert.equal(dragWindow({ center: 0, width: 10 }, 0, 40, { low: 0, high: 400 }, { invertY: true }).center, -40);
  assert.equal(dragWindow({ center: 0, width: 10 }, -1000, 0, { low: 0, high: 400 }).width, 1);
});

test('presets are relative to each pane range', () => {
  assert.equal(PRESETS.length, 4);
  assert.deepEqual(presetWindow(0, { low: 100, high: 300 }), { center: 200, width: 200 });
  assert.deepEqual(presetWindow(0, { low: 0, high: 3000 }), { center: 1500, width: 3000 });
  assert.equal(presetWindow(9, { low: 0, high: 1 }), null);
});

test('range and window fall back safely when the task detail lacks them', () => {
  assert.deepEqual(paneRange({ range: { low: 1, high: 9 } }), { low: 1, high: 9 });
  assert.deepEqual(paneRange({ range: { low: 5, high: 5 }, window: { center: 10, width: 4 } }), { low: 8, high: 12 });
  assert.deepEqual(paneRange({ dtype: 'uint16' }), { low: 0, high: 4095 });
  assert.deepEqual(paneWindow({}, { low: 0, high: 10 }), { center: 5, width: 10 });
  assert.deepEqual(paneWindow({ window: { center: 3, width: 2 } }, { low: 0, high: 10 }), { center: 3, width: 2 });
});

test('the overlay shows W/L relative to each range, so linked panes read the same', () => {
  const a = formatWindow(450, 900, { low: 0, high: 900 });
  const b = formatWindow(2700, 5400, { low: 0, high: 5400 });
  assert.equal(a, 'W 100% L 50%');
  assert.equal(a, b);
  assert.equal(formatWindow(450, 900, { low: 0, high: 900 }, 'raw'), 'W 900 L 450');
  assert.equal(formatWindow(0.5, 1.25, { low: 0, high: 4 }, 'raw'), 'W 1.3 L 0.5');
});
