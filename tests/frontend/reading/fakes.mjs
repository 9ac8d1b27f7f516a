// Stand-ins for the browser that the reading page's modules are given in node tests.

/** localStorage in memory. */
export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

/** setTimeout/clearTimeout that fire only when the test says so. */
export function fakeTimers() {
  const pending = new Map();
  let id = 0;
  return {
    pending,
    set(fn, ms) {
      pending.set(++id, { fn, ms });
      return id;
    },
    clear(i) {
      pending.delete(i);
    },
    /** Fire the oldest pending timer; returns its delay. */
    fire() {
      const [[i, t]] = [...pending];
      pending.delete(i);
      t.fn();
      return t.ms;
    },
    /** Fire the oldest pending timer of exactly `ms`. */
    fireDelay(ms) {
      const found = [...pending].find(([, t]) => t.ms === ms);
      if (!found) throw new Error(`no timer of ${ms} ms pending`);
      pending.delete(found[0]);
      found[1].fn();
    },
  };
}

/** Let pending promise callbacks run. */
export const flushMicrotasks = () => new Promise((r) => setImmediate(r));
