// Following a background job: what the box shows for each answer, and where it goes when done.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { followProgress } from '../../../frontend/coordinator/progress-poll.js';

function fakeBox() {
  const parts = {
    progress: { max: 0, value: 0 },
    '[data-stage]': { textContent: '' },
    '[data-count]': { textContent: '' },
    '[data-note]': { textContent: '' },
  };
  return { dataset: { progressUrl: '/jobs/7/progress' }, querySelector: (s) => parts[s], parts };
}

test('it shows each answer, says why one failed, and goes to the finished page at the end', async () => {
  const box = fakeBox();
  const answers = [
    { status: 200, data: { stage: 'Reading files', done: 2, total: 8 } },
    { status: 0, data: {} },
    { status: 502, data: {} },
    { status: 200, data: { finished: true, report_url: '/jobs/7/' } },
  ];
  const requests = [];
  const notes = [];
  const waits = [];
  let went = null;
  await followProgress(box, {
    describe: (p) => ({ stage: p.stage, count: `${p.done} of ${p.total}`, value: p.done, max: p.total }),
    finishedUrl: (p) => p.report_url,
    waitingNote: 'Working…',
    pollMs: 250,
    request: async (method, url) => {
      requests.push([method, url]);
      return answers.shift();
    },
    navigate: (url) => {
      went = url;
    },
    wait: async (ms) => {
      waits.push(ms);
      notes.push(box.parts['[data-note]'].textContent);
    },
  });
  assert.deepEqual(requests, Array(4).fill(['GET', '/jobs/7/progress']));
  assert.equal(box.parts['[data-stage]'].textContent, 'Reading files');
  assert.equal(box.parts['[data-count]'].textContent, '2 of 8');
  assert.deepEqual([box.parts.progress.value, box.parts.progress.max], [2, 8]);
  assert.deepEqual(notes, [
    'Working…',
    'The server cannot be reached; retrying.',
    'Progress is not available right now (HTTP 502); retrying.',
  ]);
  assert.deepEqual(waits, [250, 250, 250]);
  assert.equal(went, '/jobs/7/');
});
