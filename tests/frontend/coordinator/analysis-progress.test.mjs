// The Analysis page's progress module: what it shows for a run's progress payload.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describe } from '../../../frontend/coordinator/analysis-progress.js';

test('it shows the stage and the percent of a run under way', () => {
  assert.deepEqual(describe({ stage: 'Computing statistics', progress: 20 }), {
    stage: 'Computing statistics',
    count: '20%',
    value: 20,
  });
});

test('a queued run without a stage says it is waiting', () => {
  assert.equal(describe({ stage: '', progress: 0 }).stage, 'Waiting to start');
});

test('the percent is kept within 0 to 100 whatever the server sends', () => {
  assert.equal(describe({ progress: 250 }).value, 100);
  assert.equal(describe({ progress: -3 }).value, 0);
  assert.equal(describe({ progress: 'x' }).value, 0);
});
