// Loading order: middle slice first, then outward from the CURRENT slice, re-prioritised on scroll.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chunkSlices,
  DEFAULT_CHUNK_BYTES,
  middleSlice,
  nextChunk,
  plannedOrder,
} from '../../../frontend/viewer/loadorder.js';
import { StackCache } from '../../../frontend/viewer/stack.js';
import { shuffle } from '../../../frontend/viewer/unshuffle.js';

const state = (n) => ({ nSlices: n, loaded: new Uint8Array(n), pending: new Uint8Array(n) });

test('the first request is the middle slice alone', () => {
  assert.equal(middleSlice(24), 11);
  assert.equal(middleSlice(1), 0);
  assert.deepEqual(nextChunk({ ...state(24), current: 0, chunk: 6 }), { start: 11, stop: 12 });
});

test('after the middle slice the stack fills outward from it, forward first', () => {
  assert.deepEqual(plannedOrder(24, 11, 6), [
    { start: 11, stop: 12 },
    { start: 12, stop: 18 },
    { start: 5, stop: 11 },
    { start: 18, stop: 24 },
    { start: 0, stop: 5 },
  ]);
});

test('every slice is requested exactly once', () => {
  for (const n of [1, 2, 3, 7, 24, 155]) {
    const seen = new Uint8Array(n);
    for (const { start, stop } of plannedOrder(n, Math.floor(n / 3), 8)) {
      assert.ok(stop - start <= 8);
      for (let i = start; i < stop; i++) seen[i]++;
    }
    assert.ok(
      seen.every((c) => c === 1),
      `n=${n}`,
    );
  }
});

test('a scroll re-prioritises: the next request starts at the new current slice', () => {
  const s = state(40);
  s.loaded[19] = 1; // middle done
  for (let i = 20; i < 26; i++) s.pending[i] = 1; // first chunk in flight
  assert.deepEqual(nextChunk({ ...s, current: 3, chunk: 6 }), { start: 3, stop: 9 });
});

test('when the current slice is loaded the nearest gap is filled, backward chunks end next to it', () => {
  const s = state(20);
  for (let i = 5; i <= 15; i++) s.loaded[i] = 1;
  // current 6: nearest free is 4 (distance 2) vs 16 (distance 10)
  assert.deepEqual(nextChunk({ ...s, current: 6, chunk: 4 }), { start: 1, stop: 5 });
});

test('chunks never overlap slices that are pending or loaded', () => {
  const s = state(12);
  s.loaded[5] = 1;
  s.pending[8] = 1;
  assert.deepEqual(nextChunk({ ...s, current: 5, chunk: 6 }), { start: 6, stop: 8 });
});

test('nothing is left to request once everything is loaded or pending', () => {
  const s = state(3);
  s.loaded.fill(1);
  assert.equal(nextChunk({ ...s, current: 1, chunk: 4 }), null);
});

// ---- the stack cache with a fake network ----------------------------------------------------

function fakeNetwork(rows, cols) {
  const calls = [];
  const fetchRange = (start, stop) =>
    new Promise((resolve) => {
      calls.push({
        start,
        stop,
        resolve: () => {
          const vals = new Int16Array(rows * cols * (stop - start)).map((_, i) => start * 1000 + i - 500);
          resolve({ start, bytes: shuffle(vals, rows, cols, stop - start) });
        },
      });
    });
  return { calls, fetchRange };
}
const tick = () => new Promise((r) => setImmediate(r));

test('the cache paints the middle slice first and re-prioritises when the reader scrolls', async () => {
  const net = fakeNetwork(2, 2);
  const landed = [];
  const cache = new StackCache({
    nSlices: 30,
    rows: 2,
    cols: 2,
    dtype: 'int16',
    chunk: 5,
    maxInFlight: 2,
    fetchRange: net.fetchRange,
    onSlices: (s, c) => landed.push([s, c]),
  });
  cache.start();
  await tick();
  assert.deepEqual(
    net.calls.map(({ start, stop }) => [start, stop]),
    [
      [14, 15],
      [15, 20],
    ],
  );
  net.calls[0].resolve();
  await tick();
  assert.deepEqual(landed, [[14, 1]]);
  assert.equal(cache.isLoaded(14), true);
  assert.equal(cache.volume[cache.offset(14)], 14000 - 500);
  // The middle request finished, so the next background chunk is scheduled from slice 14 outward.
  assert.deepEqual([net.calls[2].start, net.calls[2].stop], [9, 14]);
  // The reader jumps to slice 2 while two requests are busy: it is fetched at once.
  cache.setCurrent(2);
  await tick();
  assert.deepEqual([net.calls[3].start, net.calls[3].stop], [2, 7]);
  net.calls[3].resolve();
  await tick();
  assert.equal(cache.isLoaded(2), true);
  assert.deepEqual(landed.at(-1), [2, 5]);
});

test('a failed request is retried and a 4xx stops the cache with a message', async () => {
  let attempts = 0;
  const retries = [];
  const errors = [];
  const cache = new StackCache({
    nSlices: 1,
    rows: 1,
    cols: 1,
    dtype: 'uint16',
    fetchRange: async () => {
      attempts++;
      if (attempts === 1) throw new Error('network');
      const e = new Error('These images are not available to you.');
      e.permanent = true;
      throw e;
    },
    schedule: (fn, ms) => retries.push({ fn, ms }),
    onError: (m) => errors.push(m),
  });
  cache.start();
  await tick();
  assert.equal(retries.length, 1);
  assert.ok(retries[0].ms >= 500);
  retries[0].fn();
  await tick();
  assert.equal(attempts, 2);
  assert.equal(cache.failed, true);
  assert.deepEqual(errors, ['These images are not available to you.']);
});

test('a short answer (server clamps the range) marks only the slices received', async () => {
  const cache = new StackCache({
    nSlices: 4,
    rows: 1,
    cols: 2,
    dtype: 'uint16',
    chunk: 8,
    maxInFlight: 1,
    fetchRange: async (start) => ({ start, bytes: shuffle(new Uint16Array([1, 2]), 1, 2, 1) }),
  });
  cache.start();
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(cache.complete, true);
  assert.ok(cache.requests.length >= 4);
});

test('requests are sized in bytes: more slices per request for smaller matrices', () => {
  assert.equal(chunkSlices(512 * 512 * 2), 6);
  assert.equal(chunkSlices(256 * 256 * 2), 24);
  assert.equal(chunkSlices(1024 * 1024 * 2), 1); // a slice bigger than the budget still loads
  assert.equal(chunkSlices(100, 1000), 10);
  assert.equal(chunkSlices(0), DEFAULT_CHUNK_BYTES); // degenerate geometry: no division by zero
});

test('a stack cache without an explicit chunk sizes its requests in bytes', () => {
  const small = new StackCache({
    nSlices: 40,
    rows: 256,
    cols: 256,
    dtype: 'int16',
    fetchRange: () => new Promise(() => {}),
  });
  const large = new StackCache({
    nSlices: 40,
    rows: 512,
    cols: 512,
    dtype: 'int16',
    fetchRange: () => new Promise(() => {}),
  });
  assert.equal(small.chunk, 24);
  assert.equal(large.chunk, 6);
});
