// Analysis page: follow the running analysis and reload into the report when it is done.
import { followProgress } from './progress-poll.js';

/**
 * What the progress box shows for an analysis run's progress payload.
 * @param {{stage?: string, progress?: number}} run
 * @returns {{stage: string, count: string, value: number}}  value: percent, kept within 0..100
 */
export function describe(run) {
  const progress = Math.max(0, Math.min(100, Number(run.progress) || 0));
  return {
    stage: run.stage || 'Waiting to start',
    count: `${progress}%`,
    value: progress,
  };
}

const box = typeof document !== 'undefined' ? document.getElementById('analysis-progress') : null;
if (box) {
  followProgress(box, {
    describe,
    finishedUrl: (run) => run.page_url,
    waitingNote: 'This page shows the report when the analysis is done.',
  });
}
