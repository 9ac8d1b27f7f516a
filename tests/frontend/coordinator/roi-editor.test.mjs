// ROI editor geometry: screen <-> ROI pixel coordinates (pixel centres on integers), the ellipse
// from a drag, polygon vertices from clicks, and the table's cells.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addVertex,
  clampPoint,
  ellipseFromDrag,
  formatNumber,
  roiCells,
  toCss,
  toImage,
} from '../../../frontend/coordinator/roi-editor.js';
import { resetView, viewTransform } from '../../../frontend/viewer/view.js';

test('a pixel centre on screen maps to whole ROI coordinates and back', () => {
  // 100 x 100 image fitted into a 400 x 400 pane: 4 CSS px per pixel; pixel 10 spans 40..44.
  const t = viewTransform(resetView(100, 100), 400, 400, 100, 100, [1, 1]);
  assert.deepEqual(toImage(t, 42, 82), { x: 10, y: 20 });
  assert.deepEqual(toCss(t, 10, 20), { x: 42, y: 82 });
});

test('an ellipse is the centre and half extents of the dragged box, in either direction', () => {
  assert.deepEqual(ellipseFromDrag({ x: 10, y: 20 }, { x: 30, y: 26 }, 100, 100), [
    [20, 23],
    [10, 3],
  ]);
  assert.deepEqual(ellipseFromDrag({ x: 30, y: 26 }, { x: 10, y: 20 }, 100, 100), [
    [20, 23],
    [10, 3],
  ]);
});

test('a click without a drag draws no ellipse, and drags are clamped to the image', () => {
  assert.equal(ellipseFromDrag({ x: 10, y: 10 }, { x: 10.5, y: 10.4 }, 100, 100), null);
  assert.deepEqual(ellipseFromDrag({ x: -5, y: 90 }, { x: 9, y: 120 }, 100, 100), [
    [4.5, 94.5],
    [4.5, 4.5],
  ]);
  assert.deepEqual(clampPoint({ x: 3.14719, y: -2 }, 50, 60), [3.15, 0]);
});

test('the clicks of a double-click add one vertex, not two', () => {
  let v = addVertex([], [1, 1]);
  v = addVertex(v, [5, 1]);
  v = addVertex(v, [5.1, 1.1]); // the second click of the double-click
  assert.deepEqual(v, [
    [1, 1],
    [5, 1],
  ]);
});

test('table cells show slice from 1, mean ± SD and SNR per arm, dashes when unknown', () => {
  const roi = {
    slice_index: 11,
    label_display: 'White matter',
    name: '',
    shape: 'ellipse',
    conventional: { mean: 412.345, sd: 24.01, n_pixels: 213, snr: 17.17 },
    enhanced: null,
  };
  assert.deepEqual(roiCells(roi), ['12', 'White matter', 'ellipse', '213', '412.3 ± 24.0', '17.2', '—', '—']);
  assert.equal(formatNumber(null), '—');
});
