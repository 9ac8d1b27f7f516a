// Frame-time bookkeeping behind `window.__readerstudyViewer.stats()`: the browser tests and the
// benchmark read it to check the viewer stays under one 60 Hz frame (16 ms) while scrolling and
// dragging window/level. Pure; the viewer feeds it timestamps.

const HISTORY = 240;

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    median: n ? sorted[Math.floor(n / 2)] : null,
    p95: n ? sorted[Math.min(n - 1, Math.floor(n * 0.95))] : null,
    max: n ? sorted[n - 1] : null,
  };
}

/** Recent frames' work times and the intervals between back-to-back frames. */
export class FrameStats {
  constructor() {
    this.frames = [];
    this.intervals = [];
    this.lastFrameAt = -Infinity;
  }

  /** One rendered frame: its rAF timestamp and the work it took (ms). */
  record(frameAt, workMs) {
    // why: only back-to-back frames measure smoothness; the gap after an idle spell is not a frame.
    if (frameAt - this.lastFrameAt < 100) push(this.intervals, frameAt - this.lastFrameAt);
    this.lastFrameAt = frameAt;
    push(this.frames, workMs);
  }

  stats() {
    const work = summary(this.frames);
    return { frames: [...this.frames], ...work, intervalMedian: summary(this.intervals).median };
  }

  reset() {
    this.frames.length = 0;
    this.intervals.length = 0;
  }
}

function push(list, value) {
  list.push(value);
  if (list.length > HISTORY) list.shift();
}

/** Median, 95th percentile and maximum of a list of timings (used by the synchronous bench). */
export { summary as timingSummary };
