// Linking between panes: slice, zoom/pan and window/level, each with its own toggle.
// Window/level is linked in RELATIVE terms of each pane's intensity range (1st..99th percentile),
// because the DL version can be rescaled: equal raw numbers would not mean equal contrast.
// Pure functions only; viewer.js applies the results.

export const LINK_KINDS = ['slice', 'zoom', 'window'];

/** Links as a page opens: slice, zoom/pan and window/level all linked. */
export function defaultLinks() {
  return { slice: true, zoom: true, window: true };
}

/** The links with one kind switched; throws on an unknown kind. */
export function toggleLink(links, kind) {
  if (!LINK_KINDS.includes(kind)) throw new Error(`Unknown link "${kind}".`);
  return { ...links, [kind]: !links[kind] };
}

function span(range) {
  // why: a flat series (high == low) would divide by zero; treat its span as 1 grey step.
  return Math.max(1e-6, range.high - range.low);
}

/** Window in relative terms: c_rel = (c - low)/(high - low), w_rel = w/(high - low). */
export function toRelative({ center, width }, range) {
  const s = span(range);
  return { c: (center - range.low) / s, w: width / s };
}

/** Inverse of toRelative for another pane's range. */
export function fromRelative({ c, w }, range) {
  const s = span(range);
  return { center: range.low + c * s, width: w * s };
}

/** Map a window of pane `from` onto pane `to` (both carry `range`). */
export function mapWindow(window, fromRange, toRange) {
  return fromRelative(toRelative(window, fromRange), toRange);
}

/**
 * What `target` must adopt after `source` changed the aspects in `changed`.
 * Panes: {slice, nSlices, center, width, invert, zoom, cx, cy, rows, cols, range}.
 * Returns a partial pane state (empty object when nothing is linked).
 */
export function linkedUpdate(links, source, target, changed) {
  const out = {};
  if (links.slice && changed.includes('slice')) {
    // why: both versions share the geometry, so index k is the same anatomy in both.
    out.slice = Math.max(0, Math.min(target.nSlices - 1, source.slice));
  }
  if (links.zoom && changed.includes('zoom')) {
    out.zoom = source.zoom;
    // Pan is kept as the image point at the pane centre; scale it if geometries ever differ.
    out.cx = (source.cx / source.cols) * target.cols;
    out.cy = (source.cy / source.rows) * target.rows;
  }
  if (links.window && changed.includes('window')) {
    Object.assign(out, mapWindow(source, source.range, target.range));
    out.invert = source.invert;
  }
  return out;
}
