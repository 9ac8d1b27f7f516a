// Analysis page: poll the running analysis and reload into the report when it is done.
// A plain ES module (the CSP forbids inline scripts); no dependencies.

const POLL_MS = 1000;

export function describe(run) {
  const progress = Math.max(0, Math.min(100, Number(run.progress) || 0));
  return {
    stage: run.stage || "Waiting to start",
    count: `${progress}%`,
    value: progress,
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
        const run = await response.json();
        if (run.finished) {
          window.location.assign(run.page_url);
          return;
        }
        const view = describe(run);
        stage.textContent = view.stage;
        count.textContent = view.count;
        bar.value = view.value;
        note.textContent = "This page shows the report when the analysis is done.";
      } else {
        note.textContent = `Progress is not available right now (HTTP ${response.status}); retrying.`;
      }
    } catch {
      note.textContent = "The server cannot be reached; retrying.";
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const box = typeof document !== "undefined" ? document.getElementById("analysis-progress") : null;
if (box) poll(box);
