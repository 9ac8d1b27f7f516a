// Follow a background job (an import, an analysis) on its page: poll its progress JSON, show the
// stage and the count, and go to the job's finished page when it is done.
// A plain ES module (the CSP forbids inline scripts); no dependencies.
//
// The box holds data-progress-url, a <progress>, and elements marked data-stage, data-count and
// data-note. `describe(payload)` turns the JSON into {stage, count, value, max?};
// `finishedUrl(payload)` says where to go once `payload.finished` is true.

export const POLL_MS = 1000;

export async function followProgress(box, { describe, finishedUrl, waitingNote, pollMs = POLL_MS }) {
  const url = box.dataset.progressUrl;
  const bar = box.querySelector('progress');
  const stage = box.querySelector('[data-stage]');
  const count = box.querySelector('[data-count]');
  const note = box.querySelector('[data-note]');
  for (;;) {
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) {
        const payload = await response.json();
        if (payload.finished) {
          window.location.assign(finishedUrl(payload));
          return;
        }
        const view = describe(payload);
        stage.textContent = view.stage;
        count.textContent = view.count;
        if (view.max !== undefined) bar.max = view.max;
        bar.value = view.value;
        note.textContent = waitingNote;
      } else {
        note.textContent = `Progress is not available right now (HTTP ${response.status}); retrying.`;
      }
    } catch {
      note.textContent = 'The server cannot be reached; retrying.';
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
