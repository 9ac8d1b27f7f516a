// Window/level lookup tables: 16-bit stored values -> 8-bit display grey.
// One table per pane, indexed by (value - minValue), rebuilt only when window, level or invert
// changes; rendering a frame is then a single table look-up per pixel.

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Packed opaque RGBA word for a grey level, in the platform's byte order (ImageData is RGBA). */
export function greyWord(g) {
  return LITTLE_ENDIAN
    ? (0xff000000 | (g << 16) | (g << 8) | g) >>> 0
    : ((g << 24) | (g << 16) | (g << 8) | 0xff) >>> 0;
}

/** Smallest stored value and table size for a dtype: every 16-bit value gets an entry. */
export function lutDomain(dtype) {
  return dtype === 'int16' ? { minValue: -32768, size: 65536 } : { minValue: 0, size: 65536 };
}

/**
 * Fill `lut` (Uint8Array indexed by value - minValue) for a linear window.
 * Values at or below center - width/2 map to 0, at or above center + width/2 to 255
 * (reversed when `invert`). Width is clamped to >= 1 so a collapsed window stays a hard threshold.
 */
export function buildLut(lut, minValue, center, width, invert = false) {
  const w = Math.max(1, width);
  const lower = center - w / 2;
  const upper = center + w / 2;
  const lo = invert ? 255 : 0;
  const hi = invert ? 0 : 255;
  const size = lut.length;
  // why: only the values inside the window need arithmetic; the flat parts are bulk fills.
  const first = Math.max(0, Math.min(size, Math.floor(lower - minValue) + 1));
  const last = Math.max(0, Math.min(size, Math.ceil(upper - minValue)));
  lut.fill(lo, 0, first);
  lut.fill(hi, last, size);
  for (let i = first; i < last; i++) {
    // why: multiply before dividing so the centre lands exactly on 127.5 -> 128 (no float drift).
    const g = Math.round(((i + minValue - lower) * 255) / w);
    lut[i] = invert ? 255 - g : g;
  }
  return lut;
}

/** Grey level for one value (reference implementation used by tests). */
export function mapValue(value, center, width, invert = false) {
  const w = Math.max(1, width);
  const lower = center - w / 2;
  let g;
  if (value <= lower) g = 0;
  else if (value >= center + w / 2) g = 255;
  else g = Math.round(((value - lower) * 255) / w);
  return invert ? 255 - g : g;
}

/**
 * A cached pair of tables for one pane: the 8-bit table and its RGBA expansion used when painting.
 * `update()` returns true only when the window actually changed.
 */
export class WindowLut {
  constructor(dtype) {
    const { minValue, size } = lutDomain(dtype);
    this.minValue = minValue;
    this.lut8 = new Uint8Array(size);
    this.lut32 = new Uint32Array(size);
    this.key = '';
    this.version = 0;
  }

  update(center, width, invert) {
    const key = `${center}|${width}|${invert ? 1 : 0}`;
    if (key === this.key) return false;
    this.key = key;
    buildLut(this.lut8, this.minValue, center, width, invert);
    const grey = GREY_WORDS;
    const l8 = this.lut8;
    const l32 = this.lut32;
    for (let i = 0; i < l8.length; i++) l32[i] = grey[l8[i]];
    this.version++;
    return true;
  }
}

const GREY_WORDS = new Uint32Array(256).map((_, g) => greyWord(g));

/**
 * Paint `count` samples of `src` starting at `offset` into `out32` (a Uint32Array view of an
 * ImageData buffer) through `lut32`. The single hot loop of the viewer.
 */
export function applyLut(src, offset, count, lut32, minValue, out32) {
  for (let i = 0; i < count; i++) out32[i] = lut32[src[offset + i] - minValue];
  return out32;
}
