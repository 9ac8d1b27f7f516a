// Reading page entry point (loaded as /static/reading/main.js by the reading template).
// Boots from the #reading-app dataset (contract "Reading page"), fetches the assignment, builds the
// viewer and the scoring panel, and wires the keyboard, autosave, active time and submit flow.
// Every decision is delegated to a pure module; this file only connects them to the page.

import { makeFetchRange } from '../viewer/stack.js';
import { createViewer } from '../viewer/viewer.js';
import { panesBase, send } from './api.js';
import { Autosaver, pushOrphanDrafts } from './autosave.js';
import { classify, contentOf, endpoint, localKey, reconcile, statusText } from './draft.js';
import { dispatchKey, isTypingTarget, scoreDigit } from './keys.js';
import { createPanel } from './panel.js';
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

const REPEATABLE = new Set(['focus-next', 'focus-prev']);

async function boot() {
  const root = document.getElementById('reading-app');
  if (!root) return;
  root.classList.add('rs-app');
  const notice = showNotice(root, 'Loading…');
  const res = await send('GET', root.dataset.assignmentUrl);
  if (res.status !== 200) {
    notice.textContent =
      res.status === 0
        ? 'Cannot reach the server. Check the connection, then reload this page.'
        : res.data.detail || `This case could not be opened (error ${res.status}).`;
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'rs-submit';
    again.textContent = 'Try again';
    again.addEventListener('click', () => window.location.reload());
    notice.append(document.createElement('br'), again);
    return;
  }
  notice.remove();
  startTask(root, res.data);
}

function showNotice(root, text) {
  const n = document.createElement('div');
  n.className = 'rs-notice';
  n.textContent = text;
  root.append(n);
  return n;
}

function startTask(root, detail) {
  const ds = root.dataset;
  const { assignment } = detail;
  const paneNames = detail.panes.map((p) => p.name);
  const storage = safeStorage();
  const storageKey = localKey(ds.reader || 'anonymous', detail.study?.slug || 'study', assignment.read_order);
  const readOnly = assignment.editable === false;

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

  // ---- active reading time ------------------------------------------------------------------------
  const clock = () => performance.now();
  const timer = new ActiveTimer({ now: clock(), visible: !document.hidden, focused: document.hasFocus() });
  let baseActive = Number(assignment.active_seconds) || 0;
  const activeSeconds = () => Math.round((baseActive + timer.seconds(clock())) * 10) / 10;

  // ---- layout -------------------------------------------------------------------------------------
  const viewerHost = document.createElement('section');
  viewerHost.setAttribute('aria-label', 'Images');
  viewerHost.className = 'rs-viewer-host';
  const aside = document.createElement('aside');
  root.append(viewerHost, aside);
  root.dataset.design = detail.study?.design || (paneNames.length > 1 ? 'side_by_side' : 'sequential');
  const base = panesBase(ds.assignmentUrl);
  const viewer = createViewer(viewerHost, { panes: detail.panes, fetchRangeFor: (t) => makeFetchRange(t, base) });
  window.__readerstudyViewer = viewer;

  const content = () => contentOf({ scores: scoresPayload(state), comment, preference });
  const saver = new Autosaver({
    assignmentUrl: ds.assignmentUrl,
    storageKey,
    storage,
    send,
    now: () => Date.now(),
    activeSeconds,
    content: content(),
    revision: assignment.revision ?? 0,
    onStatus: () => render(),
  });

  const panel = createPanel(aside, {
    detail,
    paneNames,
    on: {
      score: (pane, key, value) => scoreCell(cellIndex(state, pane, key), value),
      focus: (pane, key) => {
        focus = cellIndex(state, pane, key);
        render();
      },
      preference: (value) => edit(() => (preference = value)),
      comment: (text) => edit(() => (comment = text)),
      submit: () => submit(),
    },
  });

  // ---- state changes ------------------------------------------------------------------------------
  function edit(fn) {
    if (readOnly || submitting || saver.stopped) return false;
    fn();
    message = '';
    saver.change(content());
    render(); // cheap: the panel only touches what changed
    return true;
  }

  function scoreCell(index, value) {
    const cell = state.cells[index];
    if (!cell) return;
    edit(() => {
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

  function readingAction(action) {
    const digit = scoreDigit(action);
    if (digit !== null) {
      const cell = state.cells[focus];
      const c = cell && criterionOf(state, cell.key);
      const value = c ? digitToValue(c, digit) : null;
      if (value === null) {
        if (c) flash(`“${c.label}” is scored ${c.min}–${c.max}.`);
        return;
      }
      return scoreCell(focus, value);
    }
    switch (action) {
      case 'focus-next':
      case 'focus-prev':
        focus = moveFocus(state, focus, action === 'focus-next' ? 1 : -1);
        return render();
      case 'clear':
        return scoreCell(focus, null);
      case 'submit':
        return submit();
      case 'prefer-A':
      case 'prefer-B':
      case 'prefer-none':
        if (assignment.ask_preference && paneNames.length > 1) edit(() => (preference = action.slice(7)));
        return;
      case 'blur':
        return document.activeElement?.blur();
    }
  }

  function flash(text, kind = 'error') {
    message = text;
    messageKind = kind;
    render();
  }

  // ---- submit -------------------------------------------------------------------------------------
  async function submit() {
    if (submitting) return; // why: a double Enter/click must not send twice
    if (readOnly || saver.status.kind === 'conflict') {
      if (detail.next_url) window.location.assign(detail.next_url);
      return;
    }
    if (!isComplete(state)) {
      markMissing(missing(state));
      const n = missingCells.size;
      return flash(`Score every required criterion before submitting — ${n} missing (highlighted).`);
    }
    submitting = true;
    message = '';
    render();
    await saver.idle(); // why: a late draft PUT must not land after the submit
    const body = { ...content(), active_seconds: activeSeconds(), revision: saver.revision };
    const res = await send('POST', endpoint(ds.assignmentUrl, 'submit'), body);
    const kind = classify(res.status);
    if (kind === 'ok') {
      saver.stop();
      saver.clearLocal();
      saver.setStatus('submitted');
      window.location.assign(res.data.next_url || res.data.worklist_url || ds.worklistUrl || '/read/');
      return;
    }
    submitting = false;
    if (kind === 'invalid' && res.data.missing) {
      markMissing(res.data.missing);
      return flash(res.data.detail || 'Score every required criterion before submitting.');
    }
    if (kind === 'conflict') {
      saver.stop();
      banner = res.data.detail || 'This case was already submitted; it can no longer be changed.';
      return flash(banner);
    }
    if (kind === 'retry') {
      saver.writeLocal();
      return flash(
        'Could not submit: no connection to the server. Your scores are kept in this browser — press Enter to try again.',
      );
    }
    if (kind === 'auth') {
      saver.writeLocal();
      return flash(
        'Your session has ended. Sign in again in another tab, then press Enter here; your scores are kept in this browser.',
      );
    }
    return flash(res.data.detail || `The server refused the submission (error ${res.status}).`);
  }

  function markMissing(byPane) {
    missingCells = new Set();
    for (const [pane, keys] of Object.entries(byPane || {})) {
      for (const key of keys || []) missingCells.add(`${pane}/${key}`);
    }
    const first = state.cells.findIndex((c) => missingCells.has(`${c.pane}/${c.key}`));
    focus = first >= 0 ? first : Math.max(0, firstMissing(state));
  }

  // ---- render -------------------------------------------------------------------------------------
  function render() {
    const complete = isComplete(state);
    panel.render({
      state,
      focus,
      missingCells,
      readOnly: readOnly || saver.stopped,
      preference,
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
    });
  }

  // ---- events -------------------------------------------------------------------------------------
  document.addEventListener('keydown', (e) => {
    timer.interact(clock());
    const d = dispatchKey(e);
    if (!d) return;
    if (d.owner === 'viewer') {
      if (viewer.handleKey(e)) e.preventDefault();
      return;
    }
    e.preventDefault();
    // why: a held digit would otherwise score several criteria in a blink.
    if (e.repeat && !REPEATABLE.has(d.action)) return;
    readingAction(d.action);
  });
  let lastMove = 0;
  const interact = () => timer.interact(clock());
  document.addEventListener(
    'pointerdown',
    (e) => {
      interact();
      // why: clicking the images after typing a comment must bring the shortcuts back at once.
      const typing = document.activeElement;
      if (isTypingTarget(typing) && !typing.contains(e.target)) typing.blur();
    },
    { passive: true },
  );
  document.addEventListener('wheel', interact, { passive: true });
  document.addEventListener(
    'pointermove',
    () => {
      const t = clock();
      if (t - lastMove > 1000) {
        lastMove = t;
        timer.interact(t);
      }
    },
    { passive: true },
  );
  window.addEventListener('focus', () => timer.setFocused(true, clock()));
  window.addEventListener('blur', () => timer.setFocused(false, clock()));
  const hasContent = () => countScored(state) > 0 || Boolean(comment) || preference !== null;
  document.addEventListener('visibilitychange', () => {
    timer.setVisible(!document.hidden, clock());
    if (document.hidden) saver.flushOnHide(hasContent());
    else saver.retryNow();
  });
  window.addEventListener('pagehide', () => saver.flushOnHide(hasContent()));
  window.addEventListener('online', () => saver.retryNow());

  // ---- resume: reconcile a draft kept in this browser --------------------------------------------
  const local = readLocal(storage, storageKey);
  const decision = reconcile({ ...assignment, scores: detail.scores }, local);
  if (decision.action === 'push') {
    state = createScoreState(detail.criteria, paneNames, local.content.scores);
    comment = local.content.comment || '';
    preference = local.content.preference ?? null;
    baseActive = Math.max(baseActive, Number(local.activeSeconds) || 0);
    focus = Math.max(0, nextUnset(state, -1));
    const box = aside.querySelector('.rs-comment');
    if (box) box.value = comment;
    saver.adopt({ content: content() });
    flash('Restored scores that were kept in this browser; sending them now.', 'info');
  } else if (decision.action === 'discard') {
    storage.removeItem(storageKey);
  }
  // Drafts of other cases left unsent (tab closed while offline) go out in the background.
  setTimeout(() => pushOrphanDrafts({ storage, reader: ds.reader || 'anonymous', skipKey: storageKey, send }), 1500);

  window.__readerstudyReading = {
    state: () => ({
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
  render();
}

function readLocal(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

/** localStorage, or an in-memory stand-in when the browser blocks it (private modes). */
function safeStorage() {
  try {
    const s = window.localStorage;
    s.setItem('readerstudy:probe', '1');
    s.removeItem('readerstudy:probe');
    return s;
  } catch {
    const map = new Map();
    return {
      get length() {
        return map.size;
      },
      key: (i) => [...map.keys()][i] ?? null,
      getItem: (k) => (map.has(k) ? map.get(k) : null),
      setItem: (k, v) => map.set(k, String(v)),
      removeItem: (k) => map.delete(k),
    };
  }
}

boot();
