// Window/level lookup tables: mapping, boundaries, inversion, int16 negatives, caching.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyLut, buildLut, greyWord, lutDomain, mapValue, WindowLut } from '../../../frontend/viewer/lut.js';

const lutFor = (dtype, c, w, inv = false) => {
  const { minValue, size } = lutDomain(dtype);
  return { minValue, lut: buildLut(new Uint8Array(size), minValue, c, w, inv) };
};
const at = ({ minValue, lut }, v) => lut[v - minValue];

test('values at the window edges map to black and white', () => {
  const t = lutFor('uint16', 400, 800);
  assert.equal(at(t, 0), 0); // lower edge (center - width/2)
  assert.equal(at(t, 800), 255); // upper edge
  assert.equal(at(t, 65535), 255);
  assert.equal(at(t, 400), 128); // centre is mid-grey
});

test('the table agrees with the reference mapping for every uint16 value', () => {
  const t = lutFor('uint16', 1000.5, 333);
  for (let v = 0; v < 65536; v += 7) assert.equal(at(t, v), mapValue(v, 1000.5, 333), `value ${v}`);
});

test('int16 negatives are indexed from -32768', () => {
  const t = lutFor('int16', -500, 1000);
  assert.equal(t.minValue, -32768);
  assert.equal(at(t, -32768), 0);
  assert.equal(at(t, -1000), 0);
  assert.equal(at(t, -500), 128);
  assert.equal(at(t, 0), 255);
  assert.equal(at(t, 32767), 255);
  for (let v = -32768; v < 32768; v += 13) assert.equal(at(t, v), mapValue(v, -500, 1000), `value ${v}`);
});

test('inversion swaps black and white', () => {
  const t = lutFor('int16', 0, 100, true);
  assert.equal(at(t, -50), 255);
  assert.equal(at(t, 50), 0);
  assert.equal(at(t, 25), 255 - mapValue(25, 0, 100));
});

test('a zero or negative width is a hard threshold, not a division by zero', () => {
  const t = lutFor('uint16', 100, 0);
  assert.equal(at(t, 99), 0);
  assert.equal(at(t, 101), 255);
  assert.ok([...t.lut].every((g) => g === 0 || g === 255 || g === 128));
});

test('a window far outside the dtype range still fills the whole table', () => {
  const below = lutFor('uint16', -10000, 10);
  assert.equal(at(below, 0), 255);
  const above = lutFor('int16', 100000, 10);
  assert.equal(at(above, 32767), 0);
});

test('WindowLut rebuilds only when window, level or invert change', () => {
  const l = new WindowLut('int16');
  assert.equal(l.update(10, 20, false), true);
  const v = l.version;
  assert.equal(l.update(10, 20, false), false);
  assert.equal(l.version, v);
  assert.equal(l.update(10, 20, true), true);
  assert.equal(l.version, v + 1);
});

test('applyLut paints opaque grey words through the cached table', () => {
  const l = new WindowLut('int16');
  l.update(0, 200, false);
  const src = new Int16Array([-1000, -100, 0, 100, 1000]);
  const out = new Uint32Array(3);
  applyLut(src, 1, 3, l.lut32, l.minValue, out);
  assert.deepEqual([...out], [greyWord(0), greyWord(128), greyWord(255)]);
  const bytes = new Uint8Array(new Uint32Array([greyWord(77)]).buffer);
  assert.deepEqual([...bytes], [77, 77, 77, 255]); // RGBA order as ImageData expects
});
