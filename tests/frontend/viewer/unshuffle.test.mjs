// Decoding the byte-shuffled 16-bit slice payloads of the reading API.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shuffle, unshuffle, unshuffleInto } from '../../../frontend/viewer/unshuffle.js';

test('a hand-built payload decodes little-endian, low bytes first per slice', () => {
  // 1 slice of 1x2: values 0x0201 and 0x0403 -> low bytes [01, 03], high bytes [02, 04]
  const bytes = new Uint8Array([0x01, 0x03, 0x02, 0x04]);
  assert.deepEqual([...unshuffle(bytes, 1, 2, 1, 'uint16')], [0x0201, 0x0403]);
});

test('shuffling is per slice, not across the whole payload', () => {
  // 2 slices of 1x1: 0x1234 then 0xabcd
  const bytes = new Uint8Array([0x34, 0x12, 0xcd, 0xab]);
  assert.deepEqual([...unshuffle(bytes, 1, 1, 2, 'uint16')], [0x1234, 0xabcd]);
});

test('int16 payloads keep their sign', () => {
  const values = new Int16Array([-32768, -1, 0, 1, 32767, -1234]);
  const got = unshuffle(shuffle(values, 2, 3, 1), 2, 3, 1, 'int16');
  assert.ok(got instanceof Int16Array);
  assert.deepEqual([...got], [...values]);
});

test('a random multi-slice volume round-trips', () => {
  const rows = 7;
  const cols = 5;
  const n = 3;
  const values = new Uint16Array(rows * cols * n).map((_, i) => (i * 2654435761) & 0xffff);
  assert.deepEqual([...unshuffle(shuffle(values, rows, cols, n), rows, cols, n, 'uint16')], [...values]);
});

test('decoding into a volume writes at the given slice offset only', () => {
  const vol = new Int16Array(3 * 4).fill(9);
  unshuffleInto(vol, 4, shuffle(new Int16Array([-5, 6, -7, 8]), 2, 2, 1), 2, 2, 1);
  assert.deepEqual([...vol], [9, 9, 9, 9, -5, 6, -7, 8, 9, 9, 9, 9]);
});

test('a short payload and an unknown dtype are refused with a clear message', () => {
  assert.throws(() => unshuffle(new Uint8Array(3), 1, 2, 1, 'int16'), /too short/);
  assert.throws(() => unshuffle(new Uint8Array(4), 1, 2, 1, 'float32'), /Unsupported pixel dtype "float32"/);
});
