// Import report page: poll the job's progress and reload into the report when it is done.
// A plain ES module (the CSP forbids inline scripts); no dependencies.

const POLL_MS = 1000;

export function describe(progress) {
  const { stage, done, total } = progress;
  return {
    stage: stage || "Waiting to start",
    count: total ? `${done} of ${total}` : "",
    value: done,
    max: Math.max(total, 1),
  };
}

async function poll(box) {
  const url = box.dataset.progressUrl;
  const bar = box.querySelector("progress");
  const stage = box.querySelector("[data-stage]");
  const count = box.querySelector("[data-count]");
  const note = box.querySelector("[data-note]");
  for (;;) {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const progress = await response.json();
        if (progress.finished) {
          window.location.assign(progress.report_url);
          return;
        }
        const view = describe(progress);
        stage.textContent = view.stage;
        count.textContent = view.count;
        bar.max = view.max;
        bar.value = view.value;
        note.textContent = "This page shows the report when the import is done.";
      } else {
        note.textContent = `Progress is not available right now (HTTP ${response.status}); retrying.`;
      }
    } catch {
      note.textContent = "The server cannot be reached; retrying.";
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const box = typeof document !== "undefined" ? document.getElementById("import-progress") : null;
if (box) poll(box);
