// DOM of the scoring panel: case header, one row per criterion with the A and B scales side by
// side (matching the panes and the interleaved focus order, see scores.js), preference, comment,
// status line and submit. It builds the elements once and then only toggles classes in render(),
// so a key press costs a handful of attribute writes.

import { anchorFor, getScore } from './scores.js';

function el(doc, tag, cls, text) {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function quietButton(doc, cls, text) {
  const b = el(doc, 'button', cls, text);
  b.type = 'button';
  b.tabIndex = -1;
  // why: a button that takes DOM focus would turn Space/Enter into clicks and fight the shortcuts.
  b.addEventListener('mousedown', (e) => e.preventDefault());
  return b;
}

/**
 * Build the scoring panel once; its `render(view)` then applies each view model (controller.js).
 * @param {HTMLElement} root  the panel element (an <aside>)
 * @param {object} o  {detail, paneNames, on: {score, focus, preference, comment, submit}}
 * @returns {{render: (view: object) => void, focusComment: () => void, blurComment: () => void}}
 */
export function createPanel(root, { detail, paneNames, on }) {
  const doc = root.ownerDocument;
  const { assignment, criteria } = detail;
  root.classList.add('rs-panel');
  root.setAttribute('aria-label', 'Scores');

  // ---- header: which case, progress, navigation -------------------------------------------------
  const head = el(doc, 'header', 'rs-panel__head');
  const title = el(doc, 'h1', 'rs-panel__title', assignment.label || `Case ${assignment.read_order}`);
  if (assignment.sequence) title.append(el(doc, 'span', 'rs-panel__seq', assignment.sequence));
  const progress = el(doc, 'div', 'rs-panel__progress', `${assignment.done ?? 0} of ${assignment.total ?? '?'} done`);
  const nav = el(doc, 'nav', 'rs-panel__nav');
  const link = (href, text, rel) => {
    const a = el(doc, 'a', 'rs-navlink', text);
    if (href) a.href = href;
    else a.setAttribute('aria-disabled', 'true');
    if (rel) a.rel = rel;
    return a;
  };
  nav.append(
    link(detail.previous_url, '‹ Previous', 'prev'),
    link(root.ownerDocument.getElementById('reading-app')?.dataset.worklistUrl || '/read/', 'Worklist'),
    link(detail.next_url, 'Next ›', 'next'),
  );
  head.append(title, progress, nav);

  const banner = el(doc, 'div', 'rs-banner');
  banner.hidden = true;

  // ---- criteria ---------------------------------------------------------------------------------
  const list = el(doc, 'ol', 'rs-criteria');
  const cellEls = new Map(); // "A/key" -> {group, buttons: Map(value -> button)}
  const rowEls = new Map();
  for (const c of criteria) {
    const row = el(doc, 'li', 'rs-crit');
    row.dataset.key = c.key;
    const label = el(doc, 'div', 'rs-crit__label');
    label.append(el(doc, 'span', 'rs-crit__name', c.label));
    if (c.required) {
      const req = el(doc, 'span', 'rs-crit__req', '*');
      req.title = 'Required';
      label.append(req);
    }
    if (c.help_text) {
      const help = el(doc, 'span', 'rs-crit__help', '?');
      help.title = c.help_text;
      help.setAttribute('aria-label', c.help_text);
      label.append(help);
    }
    label.addEventListener('click', () => on.focus(paneNames[0], c.key));
    const groups = el(doc, 'div', 'rs-crit__groups');
    for (const pane of paneNames) {
      const group = el(doc, 'div', 'rs-scale');
      group.dataset.pane = pane;
      group.setAttribute('role', 'radiogroup');
      group.setAttribute('aria-label', `${c.label}, pane ${pane}`);
      if (paneNames.length > 1) group.append(el(doc, 'span', 'rs-scale__pane', pane));
      const buttons = new Map();
      for (let v = c.min; v <= c.max; v++) {
        const b = quietButton(doc, 'rs-score', String(v));
        const anchor = anchorFor(c, v);
        b.title = `${pane} · ${c.label}: ${v}${anchor ? ` — ${anchor}` : ''}`;
        b.setAttribute('role', 'radio');
        b.dataset.value = String(v);
        b.addEventListener('click', () => on.score(pane, c.key, v));
        buttons.set(v, b);
        group.append(b);
      }
      groups.append(group);
      cellEls.set(`${pane}/${c.key}`, { group, buttons });
    }
    const anchors = el(doc, 'div', 'rs-crit__anchors');
    anchors.textContent = (c.anchors || []).map((a, i) => `${c.min + i} ${a}`).join(' · ');
    anchors.title = anchors.textContent;
    row.append(label, groups, anchors);
    list.append(row);
    rowEls.set(c.key, row);
  }

  // ---- preference and comment -------------------------------------------------------------------
  const extra = el(doc, 'div', 'rs-extra');
  const prefButtons = new Map();
  if (assignment.ask_preference && paneNames.length > 1) {
    const pref = el(doc, 'div', 'rs-pref');
    pref.setAttribute('role', 'radiogroup');
    pref.append(el(doc, 'span', 'rs-pref__label', 'Which do you prefer?'));
    for (const [value, text, key] of [
      ['A', 'A', 'a'],
      ['B', 'B', 'b'],
      ['none', 'No preference', 'n'],
    ]) {
      const b = quietButton(doc, 'rs-pref__btn', text);
      b.title = `${text} (key ${key})`;
      b.append(el(doc, 'kbd', 'rs-kbd', key));
      b.setAttribute('role', 'radio');
      b.addEventListener('click', () => on.preference(value));
      prefButtons.set(value, b);
      pref.append(b);
    }
    extra.append(pref);
  }
  let comment = null;
  if (assignment.allow_comment !== false) {
    comment = el(doc, 'textarea', 'rs-comment');
    comment.rows = 2;
    comment.placeholder = 'Comment (optional) — Esc to leave the box';
    comment.setAttribute('aria-label', 'Comment');
    comment.value = assignment.comment || '';
    comment.addEventListener('input', () => on.comment(comment.value));
    extra.append(comment);
  }

  // ---- footer: messages, status, submit -----------------------------------------------------------
  const foot = el(doc, 'footer', 'rs-panel__foot');
  const message = el(doc, 'div', 'rs-message');
  message.setAttribute('role', 'alert');
  const statusRow = el(doc, 'div', 'rs-status');
  const status = el(doc, 'span', 'rs-status__save');
  status.setAttribute('aria-live', 'polite');
  const count = el(doc, 'span', 'rs-status__count');
  statusRow.append(status, count);
  const submit = quietButton(doc, 'rs-submit', 'Submit');
  submit.addEventListener('click', () => on.submit());
  foot.append(message, statusRow, submit);

  const help = el(doc, 'details', 'rs-keys');
  help.append(el(doc, 'summary', null, 'Keyboard & mouse'));
  const dl = el(doc, 'dl');
  for (const [k, v] of KEY_HELP) dl.append(el(doc, 'dt', null, k), el(doc, 'dd', null, v));
  help.append(dl);

  const body = el(doc, 'div', 'rs-panel__body');
  body.append(list, extra, help);
  root.append(head, banner, body, foot);

  let last = {};

  /** Update the panel to the view model (cheap: only classes and text that changed). */
  function render(vm) {
    const { state, focus, missingCells, readOnly } = vm;
    state.cells.forEach((cell, i) => {
      const { group, buttons } = cellEls.get(`${cell.pane}/${cell.key}`);
      const value = getScore(state, cell.pane, cell.key);
      group.classList.toggle('is-focused', i === focus);
      group.classList.toggle('is-missing', missingCells.has(`${cell.pane}/${cell.key}`));
      group.classList.toggle('is-set', value !== null);
      for (const [v, b] of buttons) {
        const on = v === value;
        if (b.classList.contains('is-selected') !== on) {
          b.classList.toggle('is-selected', on);
          b.setAttribute('aria-checked', String(on));
        }
        b.disabled = readOnly;
      }
    });
    const focusedKey = state.cells[focus]?.key;
    for (const [key, row] of rowEls) row.classList.toggle('is-focused', key === focusedKey);
    if (focusedKey && focusedKey !== last.focusedKey) {
      rowEls.get(focusedKey).scrollIntoView?.({ block: 'nearest' });
    }
    for (const [value, b] of prefButtons) {
      b.classList.toggle('is-selected', vm.preference === value);
      b.setAttribute('aria-checked', String(vm.preference === value));
      b.disabled = readOnly;
    }
    if (comment) {
      comment.readOnly = readOnly;
      // why: a draft restored from this browser brings its own comment; typing never differs.
      if (typeof vm.comment === 'string' && comment.value !== vm.comment) comment.value = vm.comment;
    }
    setText(status, vm.statusText);
    status.dataset.kind = vm.statusKind;
    setText(count, `${vm.scored}/${state.cells.length} scored`);
    setText(message, vm.message || '');
    message.dataset.kind = vm.messageKind || '';
    submit.disabled = vm.submitting || (readOnly && !detail.next_url);
    setText(submit, vm.submitLabel);
    banner.hidden = !vm.banner;
    setText(banner, vm.banner || '');
    last = { focusedKey };
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  return { render, focusComment: () => comment?.focus(), blurComment: () => comment?.blur() };
}

/** Shown in the panel's "Keyboard & mouse" box; the README's table says the same. */
export const KEY_HELP = [
  ['1–5', 'score the highlighted criterion, then jump to the next unset one'],
  ['← → / Tab', 'move between criteria (A, B, next criterion …)'],
  ['Backspace', 'clear the highlighted score'],
  ['Enter', 'submit and open the next case'],
  ['a / b / n', 'prefer A / B / no preference'],
  ['Wheel, ↑ ↓', 'previous / next slice (PgUp/PgDn: 5)'],
  ['Home / End', 'first / last slice'],
  ['Left drag', 'window (→ wider) / level (↓ darker)'],
  ['Right drag', 'zoom'],
  ['Middle or Shift+left drag', 'pan'],
  ['Double-click, Space', 'reset view and window'],
  ['Shift+1…4', 'window presets: full, soft, narrow, wide'],
  ['i', 'invert'],
  ['m', 'maximize the pane under the mouse (again to restore)'],
];
