// The progress dashboard's reading-time text.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatSeconds } from '../../../frontend/coordinator/dashboard.js';

test('reading time reads as seconds, minutes and hours, and a dash when unknown', () => {
  assert.equal(formatSeconds(null), '—');
  assert.equal(formatSeconds(undefined), '—');
  assert.equal(formatSeconds(41.6), '42 s');
  assert.equal(formatSeconds(425), '7 min 5 s');
  assert.equal(formatSeconds(2 * 3600 + 5 * 60 + 9), '2 h 5 min');
});
