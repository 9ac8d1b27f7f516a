// Keyboard map of the reading page and the single dispatcher that decides, per key press, whether
// the scoring panel, the viewer or nobody (the reader is typing) handles it. Pure: events are
// plain objects, so collisions and the typing rule are tested in node.

import { DEFAULT_BINDINGS, descriptorsFor, resolveKey } from '../viewer/bindings.js';

/** Reading actions by key descriptor (same format as the viewer's, see viewer/bindings.js). */
export const READING_KEYS = Object.freeze({
  ...Object.fromEntries(Array.from({ length: 10 }, (_, d) => [`Digit${d}`, `score-${d}`])),
  ...Object.fromEntries(Array.from({ length: 10 }, (_, d) => [`Numpad${d}`, `score-${d}`])),
  Tab: 'focus-next',
  'Shift+Tab': 'focus-prev',
  ArrowRight: 'focus-next',
  ArrowLeft: 'focus-prev',
  Enter: 'submit',
  NumpadEnter: 'submit',
  Backspace: 'clear',
  Delete: 'clear',
  a: 'prefer-A',
  b: 'prefer-B',
  n: 'prefer-none',
});

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'number', 'password', 'tel', 'url', '']);

/** True when the event target takes text, so no shortcut may fire. Works on element-like objects. */
export function isTypingTarget(target) {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = String(target.tagName || '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return TEXT_INPUT_TYPES.has(String(target.type || '').toLowerCase());
  return false;
}

/**
 * The reading action of a key event (READING_KEYS), or null.
 * @param {KeyboardEvent|object} e
 * @param {Record<string, string>} [keys]
 * @returns {string|null}
 */
export function resolveReadingKey(e, keys = READING_KEYS) {
  for (const d of descriptorsFor(e)) {
    if (Object.hasOwn(keys, d)) return keys[d];
  }
  return null;
}

/**
 * Who handles a keydown: {owner: 'reading'|'viewer', action} or null (let the browser have it).
 * Escape in a text field leaves the field so the shortcuts work again.
 */
export function dispatchKey(e, { viewerBindings = DEFAULT_BINDINGS, readingKeys = READING_KEYS } = {}) {
  if (e.isComposing) return null;
  if (isTypingTarget(e.target)) {
    return e.key === 'Escape' ? { owner: 'reading', action: 'blur' } : null;
  }
  const reading = resolveReadingKey(e, readingKeys);
  if (reading) return { owner: 'reading', action: reading };
  const viewer = resolveKey(e, viewerBindings);
  if (viewer) return { owner: 'viewer', action: viewer };
  return null;
}

/** Digit of a "score-<d>" action, else null. */
export function scoreDigit(action) {
  const m = /^score-(\d)$/.exec(action || '');
  return m ? Number(m[1]) : null;
}
