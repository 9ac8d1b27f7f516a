// Per-pane stack cache: one typed-array volume, a loaded-slices bitmap and the request scheduler.
// The network call is injected (`fetchRange`) so the scheduling can be tested in node; the
// browser version lives in makeFetchRange() below.
//
// Throughput: a 512² pair is ~60 MB of decoded samples, and in chromium a response body takes
// 100–200 ms to arrive while unshuffling it takes ~5 ms, so the loader keeps several requests
// per pane in flight and sends the next one BEFORE decoding the one that just landed: the
// network never idles behind the main thread.

import { chunkSlices, middleSlice, nextChunk } from './loadorder.js';
import { arrayTypeFor, unshuffleInto } from './unshuffle.js';

/** Requests kept in flight per pane in the background (two panes × 3 = HTTP/1.1's 6 sockets). */
export const DEFAULT_MAX_IN_FLIGHT = 3;

/** One pane's slices: fetched middle first, then outward from the slice on screen, into one buffer. */
export class StackCache {
  /**
   * @param {object} o
   * @param {number} o.nSlices
   * @param {number} o.rows
   * @param {number} o.cols
   * @param {string} o.dtype              "int16" | "uint16"
   * @param {(start:number, stop:number, opts:{urgent:boolean, sliceBytes:number}) => Promise<{start:number, bytes:Uint8Array}>} o.fetchRange
   *        `urgent` marks the middle slice and a slice the reader jumped to; `sliceBytes` is
   *        the size of one decoded slice (for reading the body into a buffer of the right size)
   * @param {number} [o.chunk]            slices per request after the first (default: chunkSlices)
   * @param {number} [o.maxInFlight]      concurrent requests in the background (DEFAULT_MAX_IN_FLIGHT)
   * @param {(start:number, count:number) => void} [o.onSlices]  called when slices land
   * @param {(message:string) => void} [o.onError]              called on a permanent failure
   * @param {(fn:Function, ms:number) => any} [o.schedule]      setTimeout substitute for retries
   */
  constructor(o) {
    this.nSlices = o.nSlices;
    this.rows = o.rows;
    this.cols = o.cols;
    this.sliceSize = o.rows * o.cols;
    const Type = arrayTypeFor(o.dtype);
    this.volume = new Type(this.sliceSize * o.nSlices);
    this.loaded = new Uint8Array(o.nSlices);
    this.pending = new Uint8Array(o.nSlices);
    this.loadedCount = 0;
    this.inFlight = 0;
    this.current = middleSlice(o.nSlices);
    this.fetchRange = o.fetchRange;
    this.chunk = o.chunk ?? chunkSlices(this.sliceSize * 2);
    this.maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.onSlices = o.onSlices ?? (() => {});
    this.onError = o.onError ?? (() => {});
    this.schedule = o.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.failures = 0;
    this.failed = false;
    this.requests = []; // history of {start, stop}, read by tests and the benchmark
  }

  get complete() {
    return this.loadedCount === this.nSlices;
  }

  isLoaded(k) {
    return this.loaded[k] === 1;
  }

  /** Element offset of slice k in the volume. */
  offset(k) {
    return k * this.sliceSize;
  }

  start() {
    this.pump(false);
  }

  /** The reader moved to slice k: re-prioritise, and fetch k at once when nothing covers it. */
  setCurrent(k) {
    this.current = k;
    // why: a slice the reader is waiting for may jump the concurrency limit by one request.
    this.pump(!this.loaded[k] && !this.pending[k]);
  }

  pump(urgent) {
    if (this.failed) return;
    const limit = this.maxInFlight + (urgent ? 1 : 0);
    while (this.inFlight < limit) {
      const next = nextChunk({
        nSlices: this.nSlices,
        loaded: this.loaded,
        pending: this.pending,
        current: this.current,
        chunk: this.chunk,
      });
      if (!next) return;
      // The first request of all is the middle slice alone (loadorder.js): time to first image.
      this.request(next.start, next.stop, urgent || this.requests.length === 0);
      urgent = false;
    }
  }

  request(start, stop, urgent = false) {
    for (let i = start; i < stop; i++) this.pending[i] = 1;
    this.inFlight++;
    this.requests.push({ start, stop });
    // why: fetchRange is called now, not in a microtask, so a request sent from receive()
    // is on the wire before that chunk's decoding starts.
    let response;
    try {
      const sliceBytes = this.sliceSize * 2;
      response = Promise.resolve(this.fetchRange(start, stop, { urgent, sliceBytes }));
    } catch (err) {
      response = Promise.reject(err);
    }
    response.then(
      (res) => this.receive(start, stop, res),
      (err) => this.fail(start, stop, err),
    );
  }

  receive(start, stop, res) {
    this.inFlight--;
    // why: the next request leaves before this one is decoded. Its slices stay pending until
    // they are in the volume, so the request just sent cannot ask for them again.
    this.pump(false);
    for (let i = start; i < stop; i++) this.pending[i] = 0;
    const first = Number.isInteger(res.start) ? res.start : start;
    const count = Math.min(Math.floor(res.bytes.length / (this.sliceSize * 2)), this.nSlices - first);
    if (count > 0) {
      unshuffleInto(this.volume, this.offset(first), res.bytes, this.rows, this.cols, count);
      for (let i = first; i < first + count; i++) {
        if (!this.loaded[i]) {
          this.loaded[i] = 1;
          this.loadedCount++;
        }
      }
      this.failures = 0;
      this.onSlices(first, count);
    }
    this.pump(false);
  }

  fail(start, stop, err) {
    this.inFlight--;
    for (let i = start; i < stop; i++) this.pending[i] = 0;
    if (err?.permanent) {
      this.failed = true;
      this.onError(err.message);
      return;
    }
    // why: a flaky network must not leave holes; back off so a dead server is not hammered.
    this.failures++;
    const delay = Math.min(30000, 500 * 2 ** Math.min(this.failures, 6));
    if (this.failures === 3) this.onError('Images are loading slowly — retrying.');
    this.schedule(() => this.pump(false), delay);
  }
}

/**
 * Browser fetch of a slice range for a pane token (contract: "Pixels").
 * Rejects with {permanent: true} on 4xx so the cache stops retrying.
 */
export function makeFetchRange(token, base = '/api/reading/panes/') {
  return async (start, stop, { urgent = false, sliceBytes = 0 } = {}) => {
    const url = `${base}${encodeURIComponent(token)}/slices?start=${start}&stop=${stop}`;
    // why: with several chunks per pane in flight, an HTTP/1.1 browser's 6 sockets per host are
    // all busy; a high priority lets the slice the reader waits for take the next free one.
    const init = { credentials: 'same-origin' };
    if (urgent) init.priority = 'high';
    const resp = await fetch(url, init);
    if (!resp.ok) {
      let detail = '';
      try {
        detail = (await resp.json()).detail || '';
      } catch {
        // not JSON: fall back to a generic sentence
      }
      const err = new Error(
        detail ||
          (resp.status === 404
            ? 'These images are not available to you (the study may be closed).'
            : `The image server answered ${resp.status}; retrying.`),
      );
      err.permanent = resp.status >= 400 && resp.status < 500;
      throw err;
    }
    const header = resp.headers.get('X-Slice-Start');
    const count = Number(resp.headers.get('X-Slice-Count'));
    const bytes =
      sliceBytes > 0 && count > 0 && resp.body
        ? await readInto(resp.body, count * sliceBytes)
        : new Uint8Array(await resp.arrayBuffer());
    return { start: header === null ? start : Number(header), bytes };
  };
}

/**
 * Read a body stream into one buffer of the size the headers announce.
 * why: the decoded size of a gzip response is unknown to arrayBuffer(), which grows and copies
 * as chunks arrive; reading into a buffer of the right size is ≈10–20% faster in chromium for
 * 512² chunks. A longer body than announced still arrives whole (the buffer grows).
 */
export async function readInto(body, size) {
  let buf = new Uint8Array(size);
  let used = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (used + value.length > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, used + value.length));
      bigger.set(buf.subarray(0, used));
      buf = bigger;
    }
    buf.set(value, used);
    used += value.length;
  }
  return used === buf.length ? buf : buf.subarray(0, used);
}
