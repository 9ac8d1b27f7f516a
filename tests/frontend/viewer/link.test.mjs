// Linked panes: relative window/level between different intensity ranges, slice and zoom links.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultLinks,
  fromRelative,
  linkedUpdate,
  mapWindow,
  toggleLink,
  toRelative,
} from '../../../frontend/viewer/link.js';

const A = { low: 12, high: 910 };
const B = { low: -200, high: 31000 }; // e.g. a DL output rescaled to a wider range
const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('relative window follows the contract formulas', () => {
  const r = toRelative({ center: 461, width: 449 }, A);
  close(r.c, (461 - 12) / 898);
  close(r.w, 449 / 898);
});

test('a window mapped A -> B -> A round-trips between two different ranges', () => {
  for (const w of [
    { center: 400, width: 800 },
    { center: -50, width: 1 },
    { center: 2000, width: 5000 },
  ]) {
    const back = mapWindow(mapWindow(w, A, B), B, A);
    close(back.center, w.center, 1e-6);
    close(back.width, w.width, 1e-6);
  }
});

test('the same relative window means the same place in each range', () => {
  const onB = mapWindow({ center: A.low, width: A.high - A.low }, A, B);
  assert.deepEqual(onB, { center: B.low, width: B.high - B.low });
  assert.deepEqual(fromRelative({ c: 0.5, w: 1 }, B), { center: 15400, width: 31200 });
});

test('a flat range does not divide by zero', () => {
  const r = toRelative({ center: 5, width: 2 }, { low: 5, high: 5 });
  assert.ok(Number.isFinite(r.c) && Number.isFinite(r.w));
});

const pane = (over) => ({
  slice: 10,
  nSlices: 24,
  center: 400,
  width: 800,
  invert: false,
  zoom: 1,
  cx: 128,
  cy: 128,
  rows: 256,
  cols: 256,
  range: A,
  ...over,
});

test('all three links are on by default and toggle independently', () => {
  const l = defaultLinks();
  assert.deepEqual(l, { slice: true, zoom: true, window: true });
  assert.deepEqual(toggleLink(l, 'zoom'), { slice: true, zoom: false, window: true });
  assert.throws(() => toggleLink(l, 'colour'), /Unknown link/);
});

test('slice links by index and is clamped to the other stack', () => {
  const upd = linkedUpdate(defaultLinks(), pane({ slice: 30, nSlices: 40 }), pane(), ['slice']);
  assert.deepEqual(upd, { slice: 23 });
});

test('window changes reach the other pane in its own range, with invert', () => {
  const src = pane({ center: 12 + 0.25 * 898, width: 0.5 * 898, invert: true });
  const upd = linkedUpdate(defaultLinks(), src, pane({ range: B }), ['window']);
  close(upd.center, -200 + 0.25 * 31200);
  close(upd.width, 0.5 * 31200);
  assert.equal(upd.invert, true);
});

test('zoom/pan copies zoom and the centred image point', () => {
  const upd = linkedUpdate(defaultLinks(), pane({ zoom: 2.5, cx: 40, cy: 200 }), pane(), ['zoom']);
  assert.deepEqual(upd, { zoom: 2.5, cx: 40, cy: 200 });
});

test('an unlinked aspect is left alone', () => {
  let links = toggleLink(defaultLinks(), 'window');
  links = toggleLink(links, 'slice');
  const src = pane({ slice: 3, center: 1 });
  assert.deepEqual(linkedUpdate(links, src, pane(), ['slice', 'window']), {});
});
