// Frame statistics exposed to browser tests and the benchmark.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameStats, timingSummary } from '../../../frontend/viewer/frame-stats.js';

test('median and p95 of recent frame work, intervals only between back-to-back frames', () => {
  const s = new FrameStats();
  [1, 2, 3, 4, 100].forEach((ms, i) => {
    s.record(1000 + i * 16, ms);
  });
  s.record(5000, 2); // after an idle spell: not an interval
  const st = s.stats();
  assert.equal(st.median, 3);
  assert.equal(st.max, 100);
  assert.equal(st.intervalMedian, 16);
  assert.deepEqual(st.frames, [1, 2, 3, 4, 100, 2]);
  s.reset();
  assert.equal(s.stats().median, null);
});

test('history is bounded', () => {
  const s = new FrameStats();
  for (let i = 0; i < 1000; i++) s.record(i * 16, 1);
  assert.equal(s.stats().frames.length, 240);
  assert.deepEqual(timingSummary([5, 1, 3]), { median: 3, p95: 5, max: 5 });
});
