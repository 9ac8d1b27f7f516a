// DOM of one pane: canvas, the blinded overlay (pane name, slice k/N, W/L — nothing else), a thin
// loading bar and a maximize button. Thin on purpose: all decisions are made in viewer.js.

function el(doc, tag, cls, text) {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The elements of one pane, not yet in the page.
 * @param {Document} doc
 * @param {string} name  'A' or 'B'
 * @returns {object} root, canvas and the overlay's parts
 */
export function createPaneDom(doc, name) {
  const root = el(doc, 'div', 'rs-pane');
  root.dataset.pane = name;
  const canvas = el(doc, 'canvas', 'rs-pane__canvas');
  canvas.setAttribute('aria-label', `Image pane ${name}`);
  const overlay = el(doc, 'div', 'rs-pane__overlay');
  const nameEl = el(doc, 'span', 'rs-pane__name', name);
  const sliceEl = el(doc, 'span', 'rs-pane__slice');
  const wlEl = el(doc, 'span', 'rs-pane__wl');
  overlay.append(nameEl, sliceEl, wlEl);
  const progress = el(doc, 'div', 'rs-pane__progress');
  const bar = el(doc, 'div', 'rs-pane__bar');
  const progressText = el(doc, 'span', 'rs-pane__progress-text');
  progress.append(bar, progressText);
  const message = el(doc, 'div', 'rs-pane__message');
  message.hidden = true;
  const maxBtn = el(doc, 'button', 'rs-pane__max rs-iconbtn', '⤢');
  maxBtn.type = 'button';
  maxBtn.title = `Maximize pane ${name} (m) — again to restore`;
  maxBtn.setAttribute('aria-label', maxBtn.title);
  maxBtn.tabIndex = -1;
  root.append(canvas, overlay, progress, message, maxBtn);
  return { root, canvas, sliceEl, wlEl, progress, bar, progressText, message, maxBtn, last: {} };
}

function setText(dom, field, node, text) {
  // why: writing textContent every frame forces style work; skip when unchanged.
  if (dom.last[field] !== text) {
    dom.last[field] = text;
    node.textContent = text;
  }
}

/** Show the slice (1-based k/N) and the W/L text; writes only what changed. */
export function updateOverlay(dom, { slice, nSlices, wl }) {
  setText(dom, 'slice', dom.sliceEl, `${slice + 1}/${nSlices}`);
  setText(dom, 'wl', dom.wlEl, wl);
}

/** Show how many slices are loaded; the bar hides once all are. */
export function updateProgress(dom, loaded, total) {
  const done = loaded >= total;
  if (dom.last.done !== done) {
    dom.last.done = done;
    dom.progress.hidden = done;
  }
  if (!done) {
    dom.bar.style.width = `${((100 * loaded) / total).toFixed(1)}%`;
    setText(dom, 'progress', dom.progressText, `loading ${loaded}/${total}`);
  }
}

/** Show a message over the pane (loading, an error), or hide it with ''. */
export function showMessage(dom, text) {
  if (dom.last.message === text) return;
  dom.last.message = text;
  dom.message.hidden = !text;
  dom.message.textContent = text || '';
}
