// Import report page: follow the import job and reload into the report when it is done.
// A plain ES module (the CSP forbids inline scripts); the polling loop is shared with the
// analysis page in progress-poll.js.

import { followProgress } from './progress-poll.js';

/**
 * What the progress box shows for an import job's progress payload.
 * @param {{stage?: string, done: number, total: number}} progress
 * @returns {{stage: string, count: string, value: number, max: number}}
 */
export function describe(progress) {
  const { stage, done, total } = progress;
  return {
    stage: stage || 'Waiting to start',
    count: total ? `${done} of ${total}` : '',
    value: done,
    max: Math.max(total, 1),
  };
}

const box = typeof document !== 'undefined' ? document.getElementById('import-progress') : null;
if (box) {
  followProgress(box, {
    describe,
    finishedUrl: (progress) => progress.report_url,
    waitingNote: 'This page shows the report when the import is done.',
  });
}
