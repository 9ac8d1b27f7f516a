// Coordinator ROI editor: the conventional series of one case × sequence in a canvas built from
// the viewer's own modules (stack cache, LUT, the shared render path, view arithmetic), with ROI
// drawing on top. Ellipse: drag a box. Polygon: click the corners, double-click to close. Saved
// through the ROI API (JSON, CSRF header); the table below shows each ROI's numbers per arm.
// A plain ES module (the CSP forbids inline scripts). Pure helpers are exported for node tests.

import { send } from '../base/http.js';
import { exposeProbe } from '../base/probes.js';
import { DEFAULT_BINDINGS, resolveKey, sliceStep, wheelSteps } from '../viewer/bindings.js';
import { middleSlice } from '../viewer/loadorder.js';
import { WindowLut } from '../viewer/lut.js';
import { createPaneDom, showMessage, updateOverlay, updateProgress } from '../viewer/pane.js';
import { createSurface, renderPane } from '../viewer/render.js';
import { makeFetchRange, StackCache } from '../viewer/stack.js';
import {
  clampSlice,
  dragWindow,
  formatWindow,
  panBy,
  paneRange,
  paneWindow,
  resetView,
  viewTransform,
  zoomBy,
} from '../viewer/view.js';

export const LABEL_COLOURS = {
  lesion: '#ff6b6b',
  white_matter: '#5aa2ff',
  gray_matter: '#4cc38a',
  csf: '#e0b341',
  background: '#b58cff',
  custom: '#e8e8e8',
};

// ---- pure geometry (tested in node) ------------------------------------------------------------

// why the 0.5: the render path draws image pixel i over [i, i+1) of image space, so its centre is
// at i + 0.5, while ROI coordinates put pixel centres on integers (as the server's masks do).

/** Pane CSS position -> ROI pixel coordinates (x = column, y = row). */
export function toImage(t, cssX, cssY) {
  return { x: (cssX - t.e) / t.a - 0.5, y: (cssY - t.f) / t.d - 0.5 };
}

/** ROI pixel coordinates -> pane CSS position. */
export function toCss(t, x, y) {
  return { x: (x + 0.5) * t.a + t.e, y: (y + 0.5) * t.d + t.f };
}

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
const round2 = (v) => Math.round(v * 100) / 100;

/** Clamp a point to the image's pixel centres, rounded to 0.01 px. */
export function clampPoint(p, rows, cols) {
  return [round2(clamp(p.x, 0, cols - 1)), round2(clamp(p.y, 0, rows - 1))];
}

/** Ellipse ROI points [[cx, cy], [rx, ry]] from a drag's two corners, or null if too small. */
export function ellipseFromDrag(a, b, rows, cols, minRadius = 0.75) {
  const [x0, y0] = clampPoint(a, rows, cols);
  const [x1, y1] = clampPoint(b, rows, cols);
  const rx = round2(Math.abs(x1 - x0) / 2);
  const ry = round2(Math.abs(y1 - y0) / 2);
  if (rx < minRadius || ry < minRadius) return null;
  return [
    [round2((x0 + x1) / 2), round2((y0 + y1) / 2)],
    [rx, ry],
  ];
}

/**
 * Add a polygon vertex unless it repeats the last one (a double-click sends two clicks on the
 * same spot before the dblclick that closes the polygon). Returns the new vertex list.
 */
export function addVertex(vertices, point, minDistance = 0.5) {
  const last = vertices[vertices.length - 1];
  if (last && Math.hypot(point[0] - last[0], point[1] - last[1]) < minDistance) return vertices;
  return [...vertices, point];
}

/** Text of a number cell: one decimal, or a dash for null. */
export function formatNumber(v, digits = 1) {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** Cells of one ROI table row, in the table's column order. */
export function roiCells(roi) {
  const arm = (a) => [a ? `${formatNumber(a.mean)} ± ${formatNumber(a.sd)}` : '—', a ? formatNumber(a.snr) : '—'];
  return [
    String(roi.slice_index + 1),
    roi.name ? `${roi.label_display}: ${roi.name}` : roi.label_display,
    roi.shape,
    roi.conventional ? String(roi.conventional.n_pixels) : '—',
    ...arm(roi.conventional),
    ...arm(roi.enhanced),
  ];
}

// ---- the page ----------------------------------------------------------------------------------

function readConfig(root) {
  const d = root.dataset;
  const num = (v) => Number(v);
  return {
    apiUrl: d.apiUrl,
    roiUrlBase: d.roiUrlBase,
    pixelsBase: d.pixelsBase,
    info: {
      name: 'Conventional',
      token: d.sequence,
      rows: num(d.rows),
      columns: num(d.columns),
      slices: num(d.slices),
      dtype: d.dtype,
      pixel_spacing: [num(d.spacingRow), num(d.spacingColumn)],
      window: { center: num(d.windowCenter), width: num(d.windowWidth) },
      range: { low: num(d.rangeLow), high: num(d.rangeHigh) },
    },
  };
}

/**
 * Build the ROI editor inside its root (#roi-editor, configured by its data attributes) and load
 * the case's ROIs.
 * @param {HTMLElement} root
 * @returns {object} the editor's probe (state, toScreen, setSlice), on the window as
 *   `__roiEditor` when the page asks for test probes
 */
export function mountRoiEditor(root) {
  const doc = root.ownerDocument;
  const win = doc.defaultView;
  const cfg = readConfig(root);
  const info = cfg.info;
  const stage = root.querySelector('[data-stage]');
  const status = root.querySelector('[data-status]');
  const labelSelect = root.querySelector('[name=label]');
  const nameInput = root.querySelector('[name=name]');
  const table = doc.getElementById('roi-table');
  const statsError = doc.getElementById('roi-stats-error');

  const viewerRoot = doc.createElement('div');
  viewerRoot.className = 'rs-viewer';
  viewerRoot.dataset.panes = '1';
  const dom = createPaneDom(doc, info.name);
  dom.root.classList.add('roi-pane');
  viewerRoot.append(dom.root);
  stage.append(viewerRoot);

  const range = paneRange(info);
  const defaults = { ...paneWindow(info, range), invert: false, ...resetView(info.rows, info.columns) };
  const p = {
    info,
    dom,
    range,
    state: { ...defaults, slice: middleSlice(info.slices) },
    ctx: dom.canvas.getContext('2d', { alpha: false }),
    surface: createSurface(info.rows, info.columns, doc),
    lut: new WindowLut(info.dtype),
    cssW: 0,
    cssH: 0,
    dpr: 1,
    error: '',
  };
  p.stack = new StackCache({
    nSlices: info.slices,
    rows: info.rows,
    cols: info.columns,
    dtype: info.dtype,
    fetchRange: makeFetchRange(info.token, cfg.pixelsBase),
    onSlices: () => {
      updateProgress(dom, p.stack.loadedCount, info.slices);
      redraw();
    },
    onError: (msg) => {
      p.error = msg;
      redraw();
    },
  });

  let rois = [];
  let tool = 'ellipse';
  let drag = null; // {mode, start, now, x0, y0, view}
  let vertices = []; // polygon in progress
  let hover = null; // last pointer position in ROI coordinates
  let rafId = 0;
  let saving = false;
  let drawnFrames = 0;

  const transform = () => viewTransform(p.state, p.cssW, p.cssH, info.rows, info.columns, info.pixel_spacing);

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle('error', isError);
    status.setAttribute('role', isError ? 'alert' : 'status');
  }

  // ---- drawing -----------------------------------------------------------------------------

  function redraw() {
    if (!rafId) rafId = win.requestAnimationFrame(frame);
  }

  function frame() {
    rafId = 0;
    p.lut.update(p.state.center, p.state.width, p.state.invert);
    const drawn = renderPane(p);
    if (drawn) {
      drawOverlay();
      drawnFrames++;
    }
    updateOverlay(dom, {
      slice: p.state.slice,
      nSlices: info.slices,
      wl: formatWindow(p.state.center, p.state.width, range, 'raw'),
    });
    showMessage(dom, p.error || (drawn ? '' : `loading slice ${p.state.slice + 1}…`));
  }

  function outline(ctx, t, shape, points) {
    ctx.beginPath();
    if (shape === 'ellipse') {
      const [[cx, cy], [rx, ry]] = points;
      const c = toCss(t, cx, cy);
      ctx.ellipse(c.x, c.y, Math.max(0.5, rx * t.a), Math.max(0.5, ry * t.d), 0, 0, 2 * Math.PI);
    } else {
      points.forEach(([x, y], i) => {
        const c = toCss(t, x, y);
        if (i === 0) ctx.moveTo(c.x, c.y);
        else ctx.lineTo(c.x, c.y);
      });
      ctx.closePath();
    }
  }

  function drawOverlay() {
    const { ctx } = p;
    const t = transform();
    ctx.save();
    ctx.setTransform(p.dpr, 0, 0, p.dpr, 0, 0);
    ctx.lineWidth = 1.5;
    ctx.font = '12px system-ui, sans-serif';
    for (const roi of rois) {
      if (roi.slice_index !== p.state.slice) continue;
      ctx.strokeStyle = LABEL_COLOURS[roi.label] || '#fff';
      ctx.setLineDash([]);
      outline(ctx, t, roi.shape, roi.points);
      ctx.stroke();
      // Ellipse labels sit above the shape; polygon labels at the first corner.
      const [ax, ay] =
        roi.shape === 'ellipse'
          ? [roi.points[0][0] - roi.points[1][0], roi.points[0][1] - roi.points[1][1]]
          : roi.points[0];
      const a = toCss(t, ax, ay);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(roi.name || roi.label_display, a.x + 4, a.y - 4);
    }
    // The shape being drawn, dashed.
    ctx.strokeStyle = LABEL_COLOURS[labelSelect.value] || '#fff';
    ctx.setLineDash([4, 3]);
    if (drag && drag.mode === 'ellipse') {
      const pts = ellipseFromDrag(drag.start, drag.now, info.rows, info.columns, 0);
      if (pts) {
        outline(ctx, t, 'ellipse', pts);
        ctx.stroke();
      }
    }
    if (vertices.length) {
      const path = hover ? [...vertices, clampPoint(hover, info.rows, info.columns)] : vertices;
      ctx.beginPath();
      path.forEach(([x, y], i) => {
        const c = toCss(t, x, y);
        if (i === 0) ctx.moveTo(c.x, c.y);
        else ctx.lineTo(c.x, c.y);
      });
      ctx.stroke();
    }
    ctx.restore();
  }

  // ---- saving --------------------------------------------------------------------------------

  async function save(shape, points) {
    if (saving) return;
    const label = labelSelect.value;
    const name = label === 'custom' ? nameInput.value.trim() : '';
    saving = true;
    say('Saving…');
    const { status: code, data } = await send('POST', cfg.apiUrl, {
      label,
      name,
      slice_index: p.state.slice,
      shape,
      points,
    });
    saving = false;
    if (code === 201) {
      showRois(data);
      const made = data.rois.find((r) => r.id === data.created);
      const n = made?.conventional ? ` (${made.conventional.n_pixels} pixels)` : '';
      say(`Saved the ${labelSelect.selectedOptions[0].textContent.toLowerCase()} ROI${n}.`);
    } else {
      say(data.detail || `The ROI was not saved (HTTP ${code || 'network error'}); try again.`, true);
    }
    redraw();
  }

  async function remove(id) {
    say('Deleting…');
    const { status: code, data } = await send('DELETE', `${cfg.roiUrlBase}${id}/`, {});
    if (code === 200) {
      showRois(data);
      say('ROI deleted.');
    } else {
      say(data.detail || `The ROI was not deleted (HTTP ${code || 'network error'}).`, true);
    }
  }

  function showRois(data) {
    rois = data.rois || [];
    statsError.textContent = data.stats_error || '';
    statsError.hidden = !data.stats_error;
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const roi of rois) {
      const tr = doc.createElement('tr');
      tr.dataset.roiId = String(roi.id);
      tr.dataset.slice = String(roi.slice_index);
      for (const [i, text] of roiCells(roi).entries()) {
        const td = doc.createElement('td');
        td.textContent = text;
        if (i >= 3) td.className = 'num';
        tr.append(td);
      }
      const td = doc.createElement('td');
      const button = doc.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.dataset.delete = String(roi.id);
      button.textContent = 'Delete';
      td.append(button);
      tr.append(td);
      body.append(tr);
    }
    table.hidden = rois.length === 0;
    doc.getElementById('roi-empty').hidden = rois.length > 0;
    redraw();
  }

  table.addEventListener('click', (e) => {
    const del = e.target.closest('[data-delete]');
    if (del) return void remove(Number(del.dataset.delete));
    const row = e.target.closest('tr[data-slice]');
    if (row) setSlice(Number(row.dataset.slice));
  });

  // ---- input ---------------------------------------------------------------------------------

  function setSlice(k) {
    const slice = clampSlice(k, info.slices);
    if (slice === p.state.slice) return;
    p.state.slice = slice;
    vertices = []; // a polygon lives on one slice
    p.stack.setCurrent(slice);
    redraw();
  }

  function localPoint(e) {
    const r = dom.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  const c = dom.canvas;
  c.addEventListener('contextmenu', (e) => e.preventDefault());
  c.addEventListener('pointerdown', (e) => {
    const local = localPoint(e);
    const point = toImage(transform(), local.x, local.y);
    let mode = null;
    if (e.button === 2) mode = 'zoom';
    else if (e.button === 1 || (e.button === 0 && e.shiftKey)) mode = 'pan';
    else if (e.button === 0) mode = tool;
    if (!mode) return;
    e.preventDefault();
    if (mode === 'polygon') {
      vertices = addVertex(vertices, clampPoint(point, info.rows, info.columns));
      redraw();
      return;
    }
    c.setPointerCapture(e.pointerId);
    drag = {
      mode,
      start: point,
      now: point,
      x0: e.clientX,
      y0: e.clientY,
      x: e.clientX,
      y: e.clientY,
      view: { ...p.state },
    };
  });
  c.addEventListener('pointermove', (e) => {
    const local = localPoint(e);
    hover = toImage(transform(), local.x, local.y);
    if (!drag) {
      if (vertices.length) redraw();
      return;
    }
    const dx = e.clientX - drag.x0;
    const dy = e.clientY - drag.y0;
    if (drag.mode === 'ellipse') drag.now = hover;
    else if (drag.mode === 'window') Object.assign(p.state, dragWindow(drag.view, dx, dy, range));
    else if (drag.mode === 'zoom') Object.assign(p.state, zoomBy(drag.view, dy));
    else if (drag.mode === 'pan')
      Object.assign(p.state, panBy(p.state, e.clientX - drag.x, e.clientY - drag.y, transform()));
    drag.x = e.clientX;
    drag.y = e.clientY;
    redraw();
  });
  const end = (e) => {
    if (!drag) return;
    const done = drag;
    drag = null;
    if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
    if (done.mode === 'ellipse' && e.type === 'pointerup') {
      const local = localPoint(e);
      const pts = ellipseFromDrag(done.start, toImage(transform(), local.x, local.y), info.rows, info.columns);
      if (pts) save('ellipse', pts);
      else say('Drag a box to draw an ellipse.');
    }
    redraw();
  };
  c.addEventListener('pointerup', end);
  c.addEventListener('pointercancel', end);
  c.addEventListener('dblclick', (e) => {
    e.preventDefault();
    if (tool !== 'polygon') return;
    if (vertices.length >= 3) {
      const pts = vertices;
      vertices = [];
      save('polygon', pts);
    } else {
      say('A polygon needs three corners: click them, then double-click to close.', true);
    }
  });
  let wheelCarry = 0;
  c.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = wheelSteps(e, wheelCarry);
      wheelCarry = r.carry;
      if (r.steps) setSlice(p.state.slice + r.steps);
    },
    { passive: false },
  );
  doc.addEventListener('keydown', (e) => {
    if (e.target.closest?.('input, select, textarea')) return;
    if (e.key === 'Escape') {
      vertices = [];
      drag = null;
      redraw();
      return;
    }
    const action = resolveKey(e, DEFAULT_BINDINGS);
    if (!action) return;
    const step = sliceStep(action, DEFAULT_BINDINGS);
    if (step) setSlice(p.state.slice + step);
    else if (action === 'slice-first') setSlice(0);
    else if (action === 'slice-last') setSlice(info.slices - 1);
    else if (action === 'reset') Object.assign(p.state, defaults);
    else if (action === 'invert') p.state.invert = !p.state.invert;
    else return;
    e.preventDefault();
    redraw();
  });

  for (const input of root.querySelectorAll('[name=tool]')) {
    input.addEventListener('change', () => {
      tool = input.value;
      vertices = [];
      c.dataset.tool = tool;
      redraw();
    });
    if (input.checked) tool = input.value;
  }
  c.dataset.tool = tool;
  const syncName = () => (nameInput.closest('label').hidden = labelSelect.value !== 'custom');
  labelSelect.addEventListener('change', syncName);
  syncName();

  // ---- size and start ------------------------------------------------------------------------

  function resize() {
    const dpr = win.devicePixelRatio || 1;
    const r = dom.root.getBoundingClientRect();
    const w = Math.max(1, Math.round(r.width * dpr));
    const h = Math.max(1, Math.round(r.height * dpr));
    if (c.width !== w || c.height !== h || p.dpr !== dpr) {
      c.width = w;
      c.height = h;
      p.cssW = r.width;
      p.cssH = r.height;
      p.dpr = dpr;
      redraw();
    }
  }
  new win.ResizeObserver(resize).observe(dom.root);
  resize();
  updateProgress(dom, 0, info.slices);
  p.stack.start();
  send('GET', cfg.apiUrl).then(({ status: code, data }) => {
    if (code === 200) showRois(data);
    else say(data.detail || `The ROI list did not load (HTTP ${code}).`, true);
  });

  // Read by the browser test: where the image is on screen and what is loaded and saved.
  const probe = {
    state: () => ({
      slice: p.state.slice,
      loaded: p.stack.loadedCount,
      drawnFrames,
      rois: rois.length,
      tool,
      vertices: vertices.length,
    }),
    toScreen(x, y) {
      const r = c.getBoundingClientRect();
      const pt = toCss(transform(), x, y);
      return { x: r.left + pt.x, y: r.top + pt.y };
    },
    setSlice,
  };
  exposeProbe(root, '__roiEditor', probe);
  return probe;
}

if (typeof document !== 'undefined') {
  const root = document.getElementById('roi-editor');
  if (root?.dataset.apiUrl) mountRoiEditor(root);
}
