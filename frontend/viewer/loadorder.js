// Which slices a pane should request next.
// Time to first image matters most, so the middle slice goes first on its own; after that the
// stack fills outward from the slice the reader is looking at NOW, so a scroll re-prioritises
// the very next request without cancelling anything.

/**
 * Decoded bytes a background request asks for (6 slices of 512², 24 of 256²).
 * why: each request costs the server a fixed ≈1–2 ms (session, access check) whatever its size,
 * so requests are sized in bytes, not slices: small matrices take fewer, larger requests.
 * Bigger requests than this delay a slice the reader scrolls to behind a longer body.
 */
export const DEFAULT_CHUNK_BYTES = 3 * 1024 * 1024;

/** Slices per background request for slices of `sliceBytes` decoded bytes (at least 1). */
export function chunkSlices(sliceBytes, chunkBytes = DEFAULT_CHUNK_BYTES) {
  return Math.max(1, Math.floor(chunkBytes / Math.max(1, sliceBytes)));
}

/** Middle slice index of a stack (the first one painted). */
export function middleSlice(nSlices) {
  return Math.floor((nSlices - 1) / 2);
}

/**
 * Next range to request, or null when nothing is left.
 *
 * @param {object} p
 * @param {number} p.nSlices
 * @param {ArrayLike<number>} p.loaded   1 where the slice is in the cache
 * @param {ArrayLike<number>} p.pending  1 where the slice is already requested
 * @param {number} p.current             slice on screen
 * @param {number} p.chunk               maximum slices per request
 * @returns {{start:number, stop:number}|null}  stop is exclusive
 */
export function nextChunk({ nSlices, loaded, pending, current, chunk }) {
  const free = (i) => i >= 0 && i < nSlices && !loaded[i] && !pending[i];
  const mid = middleSlice(nSlices);
  // why: until the middle slice is in, nothing else may delay it (one small request first).
  if (!loaded[mid] && !pending[mid]) return { start: mid, stop: mid + 1 };
  const cur = Math.max(0, Math.min(nSlices - 1, current));
  // Nearest free slice to the current one: cur, cur+1, cur-1, cur+2, ... (forward first
  // because readers usually scroll on in the direction they started).
  for (let d = 0; d < nSlices; d++) {
    for (const s of d === 0 ? [cur] : [cur + d, cur - d]) {
      if (!free(s)) continue;
      if (s >= cur) {
        let stop = s + 1;
        while (stop - s < chunk && free(stop)) stop++;
        return { start: s, stop };
      }
      let start = s;
      while (s + 1 - start < chunk && free(start - 1)) start--;
      return { start, stop: s + 1 };
    }
  }
  return null;
}

/** Full request sequence for a stack with no scrolling (used by tests and the benchmark). */
export function plannedOrder(nSlices, current, chunk) {
  const loaded = new Uint8Array(nSlices);
  const pending = new Uint8Array(nSlices);
  const order = [];
  for (;;) {
    const next = nextChunk({ nSlices, loaded, pending, current, chunk });
    if (!next) return order;
    order.push(next);
    for (let i = next.start; i < next.stop; i++) loaded[i] = 1;
  }
}
