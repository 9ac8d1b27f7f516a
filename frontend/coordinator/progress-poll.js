// Follow a background job (an import, an analysis) on its page: poll its progress JSON, show the
// stage and the count, and go to the job's finished page when it is done.
// A plain ES module (the CSP forbids inline scripts).
//
// The box holds data-progress-url, a <progress>, and elements marked data-stage, data-count and
// data-note. `describe(payload)` turns the JSON into {stage, count, value, max?};
// `finishedUrl(payload)` says where to go once `payload.finished` is true.

import { isOk, send } from '../base/http.js';

export const POLL_MS = 1000;

/**
 * Poll the box's progress URL until the job is finished, then go to its finished page.
 * @param {HTMLElement} box  holds data-progress-url and the elements described above
 * @param {object} o
 * @param {(payload: object) => {stage: string, count: string, value: number, max?: number}} o.describe
 * @param {(payload: object) => string} o.finishedUrl  where to go once the job is finished
 * @param {string} o.waitingNote  shown while the job runs
 * @param {number} [o.pollMs]
 * @param {typeof send} [o.request]  the JSON request (tests)
 * @param {(url: string) => void} [o.navigate]
 * @param {(ms: number) => Promise<void>} [o.wait]
 * @returns {Promise<void>}  resolves once it has navigated away
 */
export async function followProgress(
  box,
  {
    describe,
    finishedUrl,
    waitingNote,
    pollMs = POLL_MS,
    request = send,
    navigate = (url) => window.location.assign(url),
    wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
) {
  const url = box.dataset.progressUrl;
  const bar = box.querySelector('progress');
  const stage = box.querySelector('[data-stage]');
  const count = box.querySelector('[data-count]');
  const note = box.querySelector('[data-note]');
  for (;;) {
    const answer = await request('GET', url);
    if (isOk(answer)) {
      const payload = answer.data;
      if (payload.finished) {
        navigate(finishedUrl(payload));
        return;
      }
      const view = describe(payload);
      stage.textContent = view.stage;
      count.textContent = view.count;
      if (view.max !== undefined) bar.max = view.max;
      bar.value = view.value;
      note.textContent = waitingNote;
    } else if (answer.status === 0) {
      note.textContent = 'The server cannot be reached; retrying.';
    } else {
      note.textContent = `Progress is not available right now (HTTP ${answer.status}); retrying.`;
    }
    await wait(pollMs);
  }
}
