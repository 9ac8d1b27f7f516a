// Pixel decoding for the reading API's slice payloads.
// The server sends each slice byte-shuffled (all low bytes, then all high bytes) because that
// compresses about 2x better with gzip; this module turns it back into 16-bit samples.

/** Typed-array constructor for a contract dtype ("int16" or "uint16"). */
export function arrayTypeFor(dtype) {
  if (dtype === 'int16') return Int16Array;
  if (dtype === 'uint16') return Uint16Array;
  throw new Error(`Unsupported pixel dtype "${dtype}" (expected int16 or uint16).`);
}

/**
 * Decode `nSlices` shuffled slices from `bytes` into `out` starting at element `outOffset`.
 * Writing into a preallocated volume avoids a copy per chunk (why: the stack cache is one array).
 */
export function unshuffleInto(out, outOffset, bytes, rows, cols, nSlices) {
  const n = rows * cols;
  if (bytes.length < n * 2 * nSlices) {
    throw new Error(`Pixel payload too short: ${bytes.length} bytes for ${nSlices} slice(s) of ${rows}x${cols}.`);
  }
  for (let s = 0; s < nSlices; s++) {
    const lo = s * n * 2;
    const hi = lo + n;
    const o = outOffset + s * n;
    // why: assigning a 0..65535 value to an Int16Array wraps it to two's complement, so one loop
    // serves both dtypes without DataView overhead.
    for (let i = 0; i < n; i++) out[o + i] = bytes[lo + i] | (bytes[hi + i] << 8);
  }
  return out;
}

/** Decode a payload into a new Int16Array or Uint16Array of nSlices*rows*cols samples. */
export function unshuffle(bytes, rows, cols, nSlices, dtype) {
  const Type = arrayTypeFor(dtype);
  const out = new Type(rows * cols * nSlices);
  return unshuffleInto(out, 0, bytes, rows, cols, nSlices);
}

/** Inverse of unshuffle (for tests and synthetic servers). */
export function shuffle(samples, rows, cols, nSlices) {
  const n = rows * cols;
  const bytes = new Uint8Array(n * 2 * nSlices);
  for (let s = 0; s < nSlices; s++) {
    for (let i = 0; i < n; i++) {
      const v = samples[s * n + i] & 0xffff;
      bytes[s * n * 2 + i] = v & 0xff;
      bytes[s * n * 2 + n + i] = v >> 8;
    }
  }
  return bytes;
}
