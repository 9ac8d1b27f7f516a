// The canvas viewer: one or two linked panes, input handling, redraw scheduling and the
// `window.__readerstudyViewer` probe read by browser tests and the benchmark.
// Decisions live in pure modules (view.js, link.js, bindings.js, loadorder.js); this file wires
// them to the DOM and keeps per-frame work to the one shared renderPane().

import { mergeBindings, resolveDrag, resolveKey, sliceStep, wheelSteps } from './bindings.js';
import { FrameStats, timingSummary } from './frame-stats.js';
import { defaultLinks, linkedUpdate, toggleLink } from './link.js';
import { middleSlice } from './loadorder.js';
import { WindowLut } from './lut.js';
import { createPaneDom, showMessage, updateOverlay, updateProgress } from './pane.js';
import { createSurface, renderPane } from './render.js';
import { makeFetchRange, StackCache } from './stack.js';
import {
  clampSlice,
  dragWindow,
  formatWindow,
  panBy,
  paneRange,
  paneWindow,
  presetWindow,
  resetView,
  viewTransform,
  zoomBy,
} from './view.js';

const LINK_LABELS = { slice: 'Slice', zoom: 'Zoom/pan', window: 'W/L' };

/**
 * Build the viewer inside `root`.
 * @param {HTMLElement} root
 * @param {object} o
 * @param {object[]} o.panes         pane descriptions from the assignment detail (contract "panes")
 * @param {object} [o.bindings]      partial bindings merged over DEFAULT_BINDINGS
 * @param {(token:string)=>Function} [o.fetchRangeFor]  injectable pixel fetcher
 * @param {number} [o.chunk]         slices per request (default: sized in bytes, loadorder.js)
 * @param {number} [o.maxInFlight]   background requests per pane (default: stack.js)
 * @param {'relative'|'raw'} [o.overlayWindow]  W/L shown as % of the pane's range (default) or raw
 */
export function createViewer(root, o) {
  const doc = root.ownerDocument;
  const win = doc.defaultView;
  const bindings = mergeBindings(o.bindings);
  const fetchRangeFor = o.fetchRangeFor ?? ((token) => makeFetchRange(token));
  let links = defaultLinks();
  let hovered = null;
  let active = 0;
  let maximized = null;
  let rafId = 0;
  const probe = new FrameStats();

  root.classList.add('rs-viewer');
  const toolbar = doc.createElement('div');
  toolbar.className = 'rs-viewer__toolbar';
  const grid = doc.createElement('div');
  grid.className = 'rs-viewer__grid';
  root.append(toolbar, grid);

  const panes = o.panes.map((info, index) => makePane(info, index));
  root.dataset.panes = String(panes.length);
  if (panes.length > 1) buildLinkButtons();
  else toolbar.hidden = true;

  function makePane(info, index) {
    const dom = createPaneDom(doc, info.name);
    grid.append(dom.root);
    const range = paneRange(info);
    const window0 = paneWindow(info, range);
    const p = {
      index,
      info,
      dom,
      range,
      defaults: { ...window0, invert: false, ...resetView(info.rows, info.columns) },
      state: null,
      ctx: dom.canvas.getContext('2d', { alpha: false }),
      surface: createSurface(info.rows, info.columns, doc),
      lut: new WindowLut(info.dtype),
      cssW: 0,
      cssH: 0,
      dpr: 1,
      dirty: true,
      error: '',
    };
    p.state = { ...p.defaults, slice: middleSlice(info.slices) };
    p.stack = new StackCache({
      nSlices: info.slices,
      rows: info.rows,
      cols: info.columns,
      dtype: info.dtype,
      chunk: o.chunk,
      maxInFlight: o.maxInFlight,
      fetchRange: fetchRangeFor(info.token),
      onSlices: (start, count) => {
        updateProgress(dom, p.stack.loadedCount, info.slices);
        const clearsError = p.error && !p.stack.failed;
        if (clearsError) p.error = '';
        if (clearsError || (p.state.slice >= start && p.state.slice < start + count)) redraw(p);
      },
      onError: (msg) => {
        p.error = msg;
        redraw(p);
      },
    });
    attachPointer(p);
    return p;
  }

  function buildLinkButtons() {
    const label = doc.createElement('span');
    label.className = 'rs-viewer__toolbar-label';
    label.textContent = 'Link';
    toolbar.append(label);
    for (const kind of Object.keys(LINK_LABELS)) {
      const b = doc.createElement('button');
      b.type = 'button';
      b.className = 'rs-toggle';
      b.dataset.link = kind;
      b.textContent = LINK_LABELS[kind];
      b.title = `Link ${LINK_LABELS[kind].toLowerCase()} between panes`;
      b.tabIndex = -1;
      b.addEventListener('mousedown', (e) => e.preventDefault()); // keep keyboard focus on the page
      b.addEventListener('click', () => setLink(kind, !links[kind]));
      toolbar.append(b);
    }
    syncLinkButtons();
  }

  function syncLinkButtons() {
    for (const b of toolbar.querySelectorAll('[data-link]')) {
      b.setAttribute('aria-pressed', String(links[b.dataset.link]));
    }
  }

  function setLink(kind, on) {
    if (links[kind] !== on) links = toggleLink(links, kind);
    syncLinkButtons();
    // why: switching a link on aligns the other pane to the one the reader worked in last.
    if (on) propagate(panes[active], [kind]);
  }

  // ---- state changes -------------------------------------------------------------------------

  function snapshot(p) {
    return { ...p.state, nSlices: p.info.slices, rows: p.info.rows, cols: p.info.columns, range: p.range };
  }

  function apply(p, partial) {
    const before = p.state.slice;
    Object.assign(p.state, partial);
    if (p.state.slice !== before) p.stack.setCurrent(p.state.slice);
    redraw(p);
  }

  function propagate(src, changed) {
    for (const p of panes) {
      if (p === src) continue;
      const upd = linkedUpdate(links, snapshot(src), snapshot(p), changed);
      if (Object.keys(upd).length) apply(p, upd);
    }
  }

  function change(p, partial, changed) {
    active = p.index;
    apply(p, partial);
    propagate(p, changed);
  }

  function setSlice(p, k) {
    const slice = clampSlice(k, p.info.slices);
    if (slice !== p.state.slice) change(p, { slice }, ['slice']);
  }

  function reset(p) {
    // Each pane returns to its OWN defaults (never a mapped copy of the other's).
    const targets = panes.filter((q) => q === p || links.window || links.zoom);
    for (const q of targets) {
      const d = q.defaults;
      const part = {};
      if (q === p || links.window) Object.assign(part, { center: d.center, width: d.width, invert: false });
      if (q === p || links.zoom) Object.assign(part, { zoom: d.zoom, cx: d.cx, cy: d.cy });
      apply(q, part);
    }
    active = p.index;
  }

  function perform(action, p) {
    const step = sliceStep(action, bindings);
    if (step) return setSlice(p, p.state.slice + step);
    switch (action) {
      case 'slice-first':
        return setSlice(p, 0);
      case 'slice-last':
        return setSlice(p, p.info.slices - 1);
      case 'reset':
        return reset(p);
      case 'invert':
        return change(p, { invert: !p.state.invert }, ['window']);
      case 'maximize':
        return toggleMaximize(p);
      default: {
        const m = /^preset-(\d)$/.exec(action || '');
        if (m) {
          const w = presetWindow(Number(m[1]) - 1, p.range);
          if (w) change(p, w, ['window']);
        }
      }
    }
  }

  function toggleMaximize(p) {
    if (panes.length < 2) return;
    maximized = maximized === p.index ? null : p.index;
    for (const q of panes) q.dom.root.classList.toggle('is-maximized', q.index === maximized);
    root.classList.toggle('has-maximized', maximized !== null);
  }

  // ---- input -----------------------------------------------------------------------------------

  function attachPointer(p) {
    const c = p.dom.canvas;
    let drag = null;
    let wheelCarry = 0;
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('mousedown', (e) => e.button === 1 && e.preventDefault()); // no autoscroll
    c.addEventListener('auxclick', (e) => e.preventDefault());
    p.dom.root.addEventListener('pointerenter', () => (hovered = p.index));
    p.dom.root.addEventListener('pointerleave', () => {
      if (hovered === p.index) hovered = null;
    });
    p.dom.maxBtn.addEventListener('mousedown', (e) => e.preventDefault());
    p.dom.maxBtn.addEventListener('click', () => toggleMaximize(p));
    c.addEventListener('pointerdown', (e) => {
      const mode = resolveDrag(e, bindings);
      if (!mode) return;
      e.preventDefault();
      c.setPointerCapture(e.pointerId);
      active = p.index;
      drag = { mode, x0: e.clientX, y0: e.clientY, x: e.clientX, y: e.clientY, start: { ...p.state } };
    });
    c.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x0;
      const dy = e.clientY - drag.y0;
      if (drag.mode === 'window') {
        const w = dragWindow(drag.start, dx, dy, p.range, { speed: bindings.wlSpeed, invertY: bindings.wlInvertY });
        change(p, w, ['window']);
      } else if (drag.mode === 'zoom') {
        change(p, zoomBy(drag.start, dy, bindings.zoomSpeed), ['zoom']);
      } else if (drag.mode === 'pan') {
        const t = viewTransform(p.state, p.cssW, p.cssH, p.info.rows, p.info.columns, p.info.pixel_spacing);
        change(p, panBy(p.state, e.clientX - drag.x, e.clientY - drag.y, t), ['zoom']);
      }
      drag.x = e.clientX;
      drag.y = e.clientY;
    });
    const end = (e) => {
      if (!drag) return;
      drag = null;
      if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = wheelSteps(e, wheelCarry);
        wheelCarry = r.carry;
        if (r.steps) setSlice(p, p.state.slice + r.steps);
      },
      { passive: false },
    );
    c.addEventListener('dblclick', (e) => {
      e.preventDefault();
      perform(bindings.dblclick, p);
    });
  }

  /** Keyboard entry point, called by the page's single key dispatcher. True when handled. */
  function handleKey(e) {
    const action = resolveKey(e, bindings);
    if (!action) return false;
    perform(action, panes[hovered ?? active] ?? panes[0]);
    return true;
  }

  // ---- drawing ---------------------------------------------------------------------------------

  function redraw(p) {
    p.dirty = true;
    if (!rafId) rafId = win.requestAnimationFrame(frame);
  }

  function frame(now) {
    rafId = 0;
    const t0 = win.performance.now();
    for (const p of panes) {
      if (!p.dirty) continue;
      p.dirty = false;
      p.lut.update(p.state.center, p.state.width, p.state.invert);
      const drawn = renderPane(p);
      updateOverlay(p.dom, {
        slice: p.state.slice,
        nSlices: p.info.slices,
        wl: formatWindow(p.state.center, p.state.width, p.range, o.overlayWindow),
      });
      showMessage(p.dom, p.error || (drawn ? '' : `loading slice ${p.state.slice + 1}…`));
    }
    probe.record(now, win.performance.now() - t0);
  }

  function resize() {
    const dpr = win.devicePixelRatio || 1;
    for (const p of panes) {
      const r = p.dom.root.getBoundingClientRect();
      const w = Math.max(1, Math.round(r.width * dpr));
      const h = Math.max(1, Math.round(r.height * dpr));
      if (p.dom.canvas.width !== w || p.dom.canvas.height !== h || p.dpr !== dpr) {
        p.dom.canvas.width = w;
        p.dom.canvas.height = h;
        p.cssW = r.width;
        p.cssH = r.height;
        p.dpr = dpr;
        redraw(p);
      }
    }
  }

  const observer = new win.ResizeObserver(resize);
  for (const p of panes) {
    observer.observe(p.dom.root);
    updateProgress(p.dom, 0, p.info.slices);
    p.stack.start();
  }
  resize();

  const api = {
    handleKey,
    perform: (action, name) => perform(action, panes.find((p) => p.info.name === name) ?? panes[0]),
    setLink,
    stats: () => probe.stats(),
    /**
     * Synchronous benchmark: `frames` redraws of every pane, each changing the slice ("scroll") or
     * the window ("window"), timed including a 1-pixel read-back that forces the canvas to
     * rasterise (why: without it Chrome may defer the drawing work past the timer).
     */
    bench({ frames: n = 120, mode = 'scroll' } = {}) {
      const times = [];
      const p0 = panes[0];
      for (let i = 0; i < n; i++) {
        const t0 = win.performance.now();
        if (mode === 'scroll') setSlice(p0, (p0.state.slice + 1) % p0.info.slices);
        else change(p0, { center: p0.state.center + (i % 2 ? 1 : -1) * 3, width: p0.state.width + 1 }, ['window']);
        if (rafId) win.cancelAnimationFrame(rafId);
        frame(t0);
        for (const p of panes) p.ctx.getImageData(0, 0, 1, 1);
        times.push(win.performance.now() - t0);
      }
      probe.reset(); // the bench's own frames are not interaction frames
      return { frames: n, ...timingSummary(times) };
    },
    resetStats: () => probe.reset(),
    state() {
      return {
        links: { ...links },
        maximized: maximized === null ? null : panes[maximized].info.name,
        panes: panes.map((p) => ({
          name: p.info.name,
          slice: p.state.slice,
          slices: p.info.slices,
          loaded: p.stack.loadedCount,
          center: p.state.center,
          width: p.state.width,
          invert: p.state.invert,
          zoom: p.state.zoom,
          cx: p.state.cx,
          cy: p.state.cy,
        })),
      };
    },
    destroy() {
      observer.disconnect();
      if (rafId) win.cancelAnimationFrame(rafId);
      root.replaceChildren();
    },
  };
  return api;
}
