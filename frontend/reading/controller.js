// The reading page's controller: the state of one assignment (scores, keyboard focus, comment,
// preference, messages, submitting) and what each reader action does to it. It touches no DOM,
// no fetch and no global: the page (main.js) turns events into the actions below and renders the
// view model it is handed; the network and navigation are the injected effects, so every rule of
// the page runs in node tests and the same controller can later run off a prefetched detail.

import { Autosaver, pushOrphanDrafts } from './autosave.js';
import { classify, contentOf, endpoint, localKey, reconcile, statusText } from './draft.js';
import { scoreDigit } from './keys.js';
import {
  cellIndex,
  countScored,
  createScoreState,
  criterionOf,
  digitToValue,
  firstMissing,
  isComplete,
  missing,
  moveFocus,
  nextUnset,
  scoresPayload,
  setScore,
} from './scores.js';
import { ActiveTimer } from './timer.js';

/** Delay before drafts of other assignments left in this browser are pushed (ms). */
export const ORPHAN_PUSH_DELAY_MS = 1500;

/** A pointer move counts as an interaction at most this often (ms): moves come by the hundred. */
export const POINTER_MOVE_EVERY_MS = 1000;

// why: a held digit would otherwise score several criteria in a blink; held arrows may repeat.
const REPEATABLE = new Set(['focus-next', 'focus-prev']);

/**
 * @typedef {{status: number, data: object}} Answer  a JSON answer (status 0: the network failed)
 *
 * @typedef {object} ReadingEffects  everything the page does to the outside world
 * @property {(url: string) => Promise<Answer>} fetchDetail  GET an assignment detail
 * @property {(token: string) => Function} fetchPixels  a pane's pixel range fetcher (viewer/stack.js)
 * @property {(url: string, body: object, opts?: {keepalive?: boolean}) => Promise<Answer>} saveDraft
 * @property {(url: string, body: object) => Promise<Answer>} submit
 * @property {(url: string) => void} navigate  open another page
 */

/**
 * The controller of one assignment on the reading page. Nothing happens until `start()`.
 * @param {object} o
 * @param {object} o.detail  the assignment detail (contract "Assignment detail")
 * @param {string} o.assignmentUrl  its URL (draft and submit URLs are derived from it)
 * @param {string} [o.worklistUrl]  where to go when nothing is left to read
 * @param {string} [o.reader]  opaque per-reader key of the browser's draft store
 * @param {ReadingEffects} o.effects
 * @param {Storage} o.storage  localStorage or a stand-in
 * @param {() => number} o.clock  monotonic ms (performance.now): active reading time
 * @param {() => number} o.now  wall-clock ms (Date.now): when a local draft changed
 * @param {{set: Function, clear: Function}} [o.timers]  setTimeout/clearTimeout substitutes
 * @param {boolean} [o.visible]  the page is visible now
 * @param {boolean} [o.focused]  the window has the focus now
 * @param {(view: object) => void} [o.onChange]  called with the view model after every change
 * @param {number} [o.debounceMs]  autosave debounce (default: autosave.js)
 * @returns {object} the actions below, `view()` (the panel's view model) and `snapshot()`
 */
export function createReadingController(o) {
  const { detail, assignmentUrl, effects, storage, clock } = o;
  const { assignment } = detail;
  const worklistUrl = o.worklistUrl || '/read/';
  const reader = o.reader || 'anonymous';
  const timers = o.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
  const onChange = o.onChange ?? (() => {});
  const paneNames = detail.panes.map((p) => p.name);
  const storageKey = localKey(reader, detail.study?.slug || 'study', assignment.read_order);
  const readOnly = assignment.editable === false;
  const canPrefer = Boolean(assignment.ask_preference) && paneNames.length > 1;

  let state = createScoreState(detail.criteria, paneNames, detail.scores);
  let comment = assignment.comment || '';
  let preference = assignment.preference ?? null;
  let focus = Math.max(0, nextUnset(state, -1));
  let submitting = false;
  let message = '';
  let messageKind = '';
  let missingCells = new Set();
  let banner = readOnly
    ? 'Submitted — scores are locked.'
    : assignment.status === 'submitted'
      ? 'Submitted. Changes are saved as a draft revision; press Enter to submit them.'
      : '';
  let started = false;
  let lastMove = -Infinity;

  const timer = new ActiveTimer({ now: clock(), visible: o.visible ?? true, focused: o.focused ?? true });
  let baseActive = Number(assignment.active_seconds) || 0;
  const activeSeconds = () => Math.round((baseActive + timer.seconds(clock())) * 10) / 10;

  const content = () => contentOf({ scores: scoresPayload(state), comment, preference });
  const hasContent = () => countScored(state) > 0 || Boolean(comment) || preference !== null;
  const saver = new Autosaver({
    assignmentUrl,
    storageKey,
    storage,
    saveDraft: effects.saveDraft,
    now: o.now,
    activeSeconds,
    content: content(),
    revision: assignment.revision ?? 0,
    onStatus: () => notify(),
    debounceMs: o.debounceMs,
    timers,
  });

  function notify() {
    if (started) onChange(view());
  }

  /** Apply a change to the answers unless they are locked; autosave it. True when applied. */
  function edit(fn) {
    if (readOnly || submitting || saver.stopped) return false;
    fn();
    message = '';
    saver.change(content());
    notify();
    return true;
  }

  function flash(text, kind = 'error') {
    message = text;
    messageKind = kind;
    notify();
  }

  function scoreCell(index, value) {
    const cell = state.cells[index];
    if (!cell) return false;
    return edit(() => {
      state = setScore(state, cell.pane, cell.key, value);
      missingCells.delete(`${cell.pane}/${cell.key}`);
      if (value === null) {
        focus = index;
      } else {
        const next = nextUnset(state, index);
        focus = next < 0 ? index : next;
      }
    });
  }

  function scoreFocused(digit) {
    const cell = state.cells[focus];
    const c = cell && criterionOf(state, cell.key);
    const value = c ? digitToValue(c, digit) : null;
    if (value === null) {
      if (c) flash(`“${c.label}” is scored ${c.min}–${c.max}.`);
      return false;
    }
    return scoreCell(focus, value);
  }

  function markMissing(byPane) {
    missingCells = new Set();
    for (const [pane, keys] of Object.entries(byPane || {})) {
      for (const key of keys || []) missingCells.add(`${pane}/${key}`);
    }
    const first = state.cells.findIndex((c) => missingCells.has(`${c.pane}/${c.key}`));
    focus = first >= 0 ? first : Math.max(0, firstMissing(state));
  }

  async function submit() {
    if (submitting) return; // why: a double Enter/click must not send twice
    if (readOnly || saver.status.kind === 'conflict') {
      if (detail.next_url) effects.navigate(detail.next_url);
      return;
    }
    if (!isComplete(state)) {
      markMissing(missing(state));
      flash(`Score every required criterion before submitting — ${missingCells.size} missing (highlighted).`);
      return;
    }
    submitting = true;
    message = '';
    notify();
    await saver.idle(); // why: a late draft PUT must not land after the submit
    const body = { ...content(), active_seconds: activeSeconds(), revision: saver.revision };
    const res = await effects.submit(endpoint(assignmentUrl, 'submit'), body);
    const kind = classify(res.status);
    if (kind === 'ok') {
      saver.stop();
      saver.clearLocal();
      saver.setStatus('submitted');
      effects.navigate(res.data.next_url || res.data.worklist_url || worklistUrl);
      return;
    }
    submitting = false;
    if (kind === 'invalid' && res.data.missing) {
      markMissing(res.data.missing);
      flash(res.data.detail || 'Score every required criterion before submitting.');
    } else if (kind === 'conflict') {
      saver.stop();
      banner = res.data.detail || 'This case was already submitted; it can no longer be changed.';
      flash(banner);
    } else if (kind === 'retry') {
      saver.writeLocal();
      flash(
        'Could not submit: no connection to the server. Your scores are kept in this browser — press Enter to try again.',
      );
    } else if (kind === 'auth') {
      saver.writeLocal();
      flash(
        'Your session has ended. Sign in again in another tab, then press Enter here; your scores are kept in this browser.',
      );
    } else {
      flash(res.data.detail || `The server refused the submission (error ${res.status}).`);
    }
  }

  /** Resume: a draft kept in this browser (unsent when the page closed) wins over the server's. */
  function reconcileLocal() {
    const local = readLocal(storage, storageKey);
    const decision = reconcile({ ...assignment, scores: detail.scores }, local);
    if (decision.action === 'push') {
      state = createScoreState(detail.criteria, paneNames, local.content.scores);
      comment = local.content.comment || '';
      preference = local.content.preference ?? null;
      baseActive = Math.max(baseActive, Number(local.activeSeconds) || 0);
      focus = Math.max(0, nextUnset(state, -1));
      saver.adopt({ content: content() });
      flash('Restored scores that were kept in this browser; sending them now.', 'info');
    } else if (decision.action === 'discard') {
      storage.removeItem(storageKey);
    }
    return decision;
  }

  /** The panel's view model (panel.js render()). */
  function view() {
    const complete = isComplete(state);
    const locked = readOnly || saver.stopped;
    return {
      state,
      focus,
      missingCells,
      readOnly: locked,
      preference,
      comment,
      scored: countScored(state),
      statusKind: readOnly ? 'none' : saver.status.kind,
      statusText: readOnly ? '' : statusText(saver.status),
      message:
        message || (complete && !readOnly && !submitting ? 'All required scores set — press Enter to submit.' : ''),
      messageKind: message ? messageKind : 'hint',
      submitting,
      submitLabel: readOnly
        ? detail.next_url
          ? 'Next case (Enter)'
          : 'Submitted'
        : submitting
          ? 'Submitting…'
          : 'Submit & next (Enter)',
      banner,
    };
  }

  return {
    paneNames,
    readOnly,
    /**
     * Begin: take over a draft kept in this browser, schedule the push of other assignments'
     * leftover drafts, and hand the first view to onChange.
     * @returns {{action: string, reason: string}} what was done with the local draft
     */
    start() {
      started = true;
      const decision = reconcileLocal();
      timers.set(
        () =>
          pushOrphanDrafts({
            storage,
            reader,
            skipKey: storageKey,
            fetchDetail: effects.fetchDetail,
            saveDraft: effects.saveDraft,
          }),
        ORPHAN_PUSH_DELAY_MS,
      );
      notify();
      return decision;
    },
    view,
    /** Score (or with null clear) one cell, as a click on its button does. */
    score: (pane, key, value) => scoreCell(cellIndex(state, pane, key), value),
    /** Move the keyboard focus to one cell, as a click on its label does. */
    focusCell(pane, key) {
      const index = cellIndex(state, pane, key);
      if (index < 0) return;
      focus = index;
      notify();
    },
    /** Prefer pane A or B, or neither ('none'). */
    setPreference: (value) => canPrefer && edit(() => (preference = value)),
    /** The comment box's text. */
    setComment: (text) => edit(() => (comment = text)),
    /**
     * A reading key action from keys.js (score-<d>, focus-next/prev, clear, submit, prefer-*).
     * @param {string} action
     * @param {{repeat?: boolean}} [o]  a held key's auto-repeat
     */
    key(action, { repeat = false } = {}) {
      if (repeat && !REPEATABLE.has(action)) return;
      const digit = scoreDigit(action);
      if (digit !== null) return scoreFocused(digit);
      switch (action) {
        case 'focus-next':
        case 'focus-prev':
          focus = moveFocus(state, focus, action === 'focus-next' ? 1 : -1);
          return notify();
        case 'clear':
          return scoreCell(focus, null);
        case 'submit':
          return submit();
        case 'prefer-A':
        case 'prefer-B':
        case 'prefer-none':
          return canPrefer && edit(() => (preference = action.slice(7)));
      }
    },
    /** Submit (Enter or the button); resolves when the answer is handled. */
    submit,
    /** A key press, click or wheel turn: the reader is reading. */
    interact: () => timer.interact(clock()),
    /** A pointer move, counted as an interaction at most once a second. */
    pointerMove() {
      const t = clock();
      if (t - lastMove > POINTER_MOVE_EVERY_MS) {
        lastMove = t;
        timer.interact(t);
      }
    },
    /** The window gained or lost the focus. */
    setFocused: (value) => timer.setFocused(value, clock()),
    /** The page was hidden (another tab, minimised) or shown again. */
    setVisible(value) {
      timer.setVisible(value, clock());
      if (!value) saver.flushOnHide(hasContent());
      else saver.retryNow();
    },
    /** The page is being closed or navigated away from. */
    pageHide: () => saver.flushOnHide(hasContent()),
    /** The connection is back. */
    online: () => saver.retryNow(),
    /** What the browser tests read (window.__readerstudyReading.state()). */
    snapshot: () => ({
      focus,
      cell: state.cells[focus] ?? null,
      scores: scoresPayload(state),
      comment,
      preference,
      status: saver.status.kind,
      revision: saver.revision,
      activeSeconds: activeSeconds(),
      submitting,
    }),
  };
}

function readLocal(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || 'null');
  } catch {
    return null;
  }
}
