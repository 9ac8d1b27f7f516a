// Score state of one assignment and the keyboard focus rules. Pure: no DOM.
//
// Focus order is INTERLEAVED per criterion (noise A, noise B, grey-white A, grey-white B, ...).
// why: in side-by-side reading the radiologist judges one criterion on both images at once; scoring
// the pair together keeps one mental yardstick and the eyes on the same structures, instead of
// re-examining image A for seven criteria and then re-examining B for the same seven. The panel
// lays each criterion out as a row with the A and B buttons next to each other to match.

/** Focus cells in order: one per (criterion, pane). */
export function cellsOf(criteria, paneNames) {
  const cells = [];
  for (const c of criteria) for (const pane of paneNames) cells.push({ pane, key: c.key });
  return cells;
}

function inRange(c, v) {
  return Number.isInteger(v) && v >= c.min && v <= c.max;
}

/** New state from the assignment detail; unknown criteria and out-of-range values are dropped. */
export function createScoreState(criteria, paneNames, scores = {}) {
  const clean = {};
  for (const pane of paneNames) {
    clean[pane] = {};
    for (const c of criteria) {
      const v = scores?.[pane]?.[c.key];
      if (inRange(c, v)) clean[pane][c.key] = v;
    }
  }
  return { criteria, paneNames, cells: cellsOf(criteria, paneNames), scores: clean };
}

/** The criterion with this key, or undefined. */
export function criterionOf(state, key) {
  return state.criteria.find((c) => c.key === key);
}

/** The score of one cell, or null when unset. */
export function getScore(state, pane, key) {
  return state.scores[pane]?.[key] ?? null;
}

/** Set (or, with value null, clear) one score. Returns a new state; throws on a bad value. */
export function setScore(state, pane, key, value) {
  const c = criterionOf(state, key);
  if (!c || !state.paneNames.includes(pane)) throw new Error(`Unknown score cell ${pane}/${key}.`);
  if (value !== null && !inRange(c, value)) {
    throw new Error(`Score ${value} for "${c.label}" is outside ${c.min}–${c.max}.`);
  }
  const paneScores = { ...state.scores[pane] };
  if (value === null) delete paneScores[key];
  else paneScores[key] = value;
  return { ...state, scores: { ...state.scores, [pane]: paneScores } };
}

/** Required criteria still unset, per pane (the shape of the API's `missing`). */
export function missing(state) {
  const out = {};
  for (const pane of state.paneNames) {
    out[pane] = state.criteria.filter((c) => c.required && getScore(state, pane, c.key) === null).map((c) => c.key);
  }
  return out;
}

/** Whether every required criterion is scored on every pane. */
export function isComplete(state) {
  return Object.values(missing(state)).every((keys) => keys.length === 0);
}

/** How many cells (pane × criterion) are scored. */
export function countScored(state) {
  return state.cells.filter((cell) => getScore(state, cell.pane, cell.key) !== null).length;
}

/** Position of a cell in the focus order, or -1. */
export function cellIndex(state, pane, key) {
  return state.cells.findIndex((c) => c.pane === pane && c.key === key);
}

/**
 * Next unset cell after `from` (wrapping), or -1 when every cell is set.
 * Optional criteria count as unset too: the reader is led through them, but not forced.
 */
export function nextUnset(state, from) {
  const n = state.cells.length;
  for (let d = 1; d <= n; d++) {
    const i = (((from + d) % n) + n) % n;
    const cell = state.cells[i];
    if (getScore(state, cell.pane, cell.key) === null) return i;
  }
  return -1;
}

/** First cell with a missing REQUIRED score (used when Enter is pressed too early), or -1. */
export function firstMissing(state) {
  return state.cells.findIndex((cell) => {
    const c = criterionOf(state, cell.key);
    return c.required && getScore(state, cell.pane, cell.key) === null;
  });
}

/** Cell index after moving `delta` steps, wrapping around. */
export function moveFocus(state, from, delta) {
  const n = state.cells.length;
  if (!n) return -1;
  return (((from + delta) % n) + n) % n;
}

/**
 * Score value for a digit key on a criterion: the digit itself when the scale lies within 0..9
 * (the digit shown on the button), else the digit-th step from the minimum; null if off the scale.
 */
export function digitToValue(criterion, digit) {
  const v = criterion.min >= 0 && criterion.max <= 9 ? digit : criterion.min + digit - 1;
  return inRange(criterion, v) ? v : null;
}

/** Anchor text for a value ("" when the criterion has none). */
export function anchorFor(criterion, value) {
  return (criterion.anchors || [])[value - criterion.min] ?? '';
}

/** The `scores` object for the API (full set, unset criteria absent). */
export function scoresPayload(state) {
  const out = {};
  for (const pane of state.paneNames) out[pane] = { ...state.scores[pane] };
  return out;
}
