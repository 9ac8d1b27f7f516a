// Active reading time: counted only while the page is visible AND focused AND the reader did
// something (key, click, wheel, pointer move) within the last 60 s. Pure: the caller passes
// timestamps (ms), so it is tested in node without waiting.

export const IDLE_MS = 60000;

/** Active reading time of one assignment, fed with timestamps and page events. */
export class ActiveTimer {
  /**
   * @param {object} [o]
   * @param {number} o.now  ms, when the assignment opened
   * @param {boolean} [o.visible]
   * @param {boolean} [o.focused]
   * @param {number} [o.idleMs]  time without interaction after which reading time stops
   */
  constructor({ now, visible = true, focused = true, idleMs = IDLE_MS } = {}) {
    this.idleMs = idleMs;
    this.visible = visible;
    this.focused = focused;
    this.accumulated = 0;
    this.since = now;
    // why: opening the assignment is itself an interaction (the reader just asked for it).
    this.lastInteraction = now;
  }

  /** Add the active time between the last settle point and t. */
  settle(t) {
    if (this.visible && this.focused) {
      const end = Math.min(t, this.lastInteraction + this.idleMs);
      if (end > this.since) this.accumulated += end - this.since;
    }
    this.since = Math.max(this.since, t);
  }

  interact(t) {
    this.settle(t);
    this.lastInteraction = t;
  }

  setVisible(visible, t) {
    this.settle(t);
    this.visible = visible;
  }

  setFocused(focused, t) {
    this.settle(t);
    this.focused = focused;
  }

  /** Active milliseconds up to t. */
  totalMs(t) {
    this.settle(t);
    return this.accumulated;
  }

  /** Active seconds up to t, rounded to 0.1 s (the API's unit). */
  seconds(t) {
    return Math.round(this.totalMs(t) / 100) / 10;
  }
}
