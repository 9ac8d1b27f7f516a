// View arithmetic for one pane: fit-to-pane with the physical aspect ratio, zoom/pan,
// window/level dragging and relative presets. Pure: no DOM, so it is tested in node.

/** Window presets on Shift+1..4, in relative terms of the pane's range (see link.js). */
export const PRESETS = [
  { name: 'Full range', c: 0.5, w: 1.0 },
  { name: 'Soft', c: 0.5, w: 1.4 }, // low contrast, shows faint background noise and bright CSF
  { name: 'Narrow', c: 0.55, w: 0.5 }, // high contrast for grey–white differentiation
  { name: 'Wide', c: 0.5, w: 2.0 },
];

export const ZOOM_MIN = 0.25;
export const ZOOM_MAX = 16;

/** Default view: whole image fitted and centred. (cx, cy) is the image point at the pane centre. */
export function resetView(rows, cols) {
  return { zoom: 1, cx: cols / 2, cy: rows / 2 };
}

/**
 * CSS pixels per image pixel at zoom 1 so the image fits the pane, keeping the physical aspect.
 * DICOM PixelSpacing is [row spacing (vertical), column spacing (horizontal)] in mm.
 */
export function fitScale(paneW, paneH, rows, cols, pixelSpacing) {
  const [dy, dx] = validSpacing(pixelSpacing);
  const mmPerCss = Math.max((cols * dx) / paneW, (rows * dy) / paneH);
  return { sx: dx / mmPerCss, sy: dy / mmPerCss };
}

function validSpacing(ps) {
  // why: a missing or nonsense spacing must not distort the picture; square pixels are the safe guess.
  if (!Array.isArray(ps) || ps.length < 2) return [1, 1];
  const a = Number(ps[0]);
  const b = Number(ps[1]);
  return a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b) ? [a, b] : [1, 1];
}

/** Affine transform image -> pane CSS pixels: x' = a*x + e, y' = d*y + f. */
export function viewTransform(view, paneW, paneH, rows, cols, pixelSpacing) {
  const { sx, sy } = fitScale(paneW, paneH, rows, cols, pixelSpacing);
  const a = sx * view.zoom;
  const d = sy * view.zoom;
  return { a, d, e: paneW / 2 - view.cx * a, f: paneH / 2 - view.cy * d };
}

/** Pan by a mouse movement of (dx, dy) CSS pixels. */
export function panBy(view, dx, dy, transform) {
  return { ...view, cx: view.cx - dx / transform.a, cy: view.cy - dy / transform.d };
}

/** Zoom by a vertical drag: up zooms in (exponential so it feels even at every scale). */
export function zoomBy(view, dy, speed = 1) {
  const zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, view.zoom * Math.exp((-dy * speed) / 200)));
  return { ...view, zoom };
}

/**
 * New window after a drag of (dx, dy) CSS pixels from `start`.
 * Horizontal changes width, vertical changes level. Speed scales with the pane's intensity range
 * so a ~400 px drag sweeps the whole range whatever the series' units.
 */
export function dragWindow(start, dx, dy, range, { speed = 1, invertY = false } = {}) {
  const perPixel = (Math.max(1, range.high - range.low) / 400) * speed;
  const sign = invertY ? -1 : 1;
  return {
    center: start.center + sign * dy * perPixel,
    width: Math.max(1, start.width + dx * perPixel),
  };
}

/** Absolute window of preset `index` (0-based) for a pane's range. */
export function presetWindow(index, range) {
  const p = PRESETS[index];
  if (!p) return null;
  const s = Math.max(1, range.high - range.low);
  return { center: range.low + p.c * s, width: p.w * s };
}

/** A slice index kept within 0..nSlices-1. */
export function clampSlice(k, nSlices) {
  return Math.max(0, Math.min(nSlices - 1, k));
}

/**
 * W/L text for the overlay. Default 'relative': percent of the pane's range (the same terms the
 * panes are linked in). why: raw numbers would show on screen that one series lives on a different
 * intensity scale (DL output is often rescaled), an easy tell for which pane is which; relative
 * numbers read the same on both panes when they are linked. 'raw' is available for sites that want it.
 */
export function formatWindow(center, width, range, mode = 'relative') {
  if (mode === 'raw') {
    const digits = range.high - range.low < 20 ? 1 : 0;
    return `W ${width.toFixed(digits)} L ${center.toFixed(digits)}`;
  }
  const span = Math.max(1e-6, range.high - range.low);
  const pct = (x) => `${Math.round(x * 100)}%`;
  return `W ${pct(width / span)} L ${pct((center - range.low) / span)}`;
}

/**
 * Intensity range of a pane from the assignment detail. The contract promises `range`; when it is missing
 * or flat, fall back to the window, then to a dtype default, so W/L linking never divides by zero.
 */
export function paneRange(info) {
  const r = info.range || {};
  const low = Number(r.low);
  const high = Number(r.high);
  if (Number.isFinite(low) && Number.isFinite(high) && high > low) return { low, high };
  const w = info.window || {};
  const c = Number(w.center);
  const wd = Number(w.width);
  if (Number.isFinite(c) && wd > 0) return { low: c - wd / 2, high: c + wd / 2 };
  return info.dtype === 'uint16' ? { low: 0, high: 4095 } : { low: -1024, high: 3071 };
}

/** Default window of a pane: the server's (same rule for every series), else its full range. */
export function paneWindow(info, range) {
  const w = info.window || {};
  const center = Number(w.center);
  const width = Number(w.width);
  if (Number.isFinite(center) && width > 0) return { center, width };
  return { center: (range.low + range.high) / 2, width: range.high - range.low };
}
