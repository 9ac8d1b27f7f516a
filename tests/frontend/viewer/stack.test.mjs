// The stack cache's requests in flight: several per pane, the next one sent before decoding.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plannedOrder } from '../../../frontend/viewer/loadorder.js';
import { DEFAULT_MAX_IN_FLIGHT, makeFetchRange, readInto, StackCache } from '../../../frontend/viewer/stack.js';
import { shuffle } from '../../../frontend/viewer/unshuffle.js';

const ROWS = 2;
const COLS = 3;
const value = (slice, i) => slice * 100 + i - 50;

/** A fake network: each call waits until the test answers it. */
function fakeNetwork() {
  const calls = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  const fetchRange = (start, stop, opts) => {
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    return new Promise((resolve) => {
      const call = { start, stop, urgent: opts.urgent, answered: false };
      call.answer = () => {
        call.answered = true;
        outstanding--;
        const vals = new Int16Array(ROWS * COLS * (stop - start));
        for (let k = 0; k < stop - start; k++) {
          for (let i = 0; i < ROWS * COLS; i++) vals[k * ROWS * COLS + i] = value(start + k, i);
        }
        resolve({ start, bytes: shuffle(vals, ROWS, COLS, stop - start) });
      };
      calls.push(call);
    });
  };
  return {
    calls,
    fetchRange,
    open: () => calls.filter((c) => !c.answered),
    get maxOutstanding() {
      return maxOutstanding;
    },
  };
}
const tick = () => new Promise((r) => setImmediate(r));
const spans = (calls) => calls.map(({ start, stop }) => [start, stop]);

function makeCache(net, o = {}) {
  return new StackCache({
    nSlices: 30,
    rows: ROWS,
    cols: COLS,
    dtype: 'int16',
    chunk: 4,
    fetchRange: net.fetchRange,
    ...o,
  });
}

test('by default three requests per pane are in flight, middle slice first', () => {
  assert.equal(DEFAULT_MAX_IN_FLIGHT, 3);
  const net = fakeNetwork();
  makeCache(net).start();
  assert.deepEqual(spans(net.calls), [
    [14, 15],
    [15, 19],
    [10, 14],
  ]);
});

test('the number in flight is configurable', () => {
  const net = fakeNetwork();
  makeCache(net, { maxInFlight: 4 }).start();
  assert.deepEqual(spans(net.calls), [
    [14, 15],
    [15, 19],
    [10, 14],
    [19, 23],
  ]);
  const one = fakeNetwork();
  makeCache(one, { maxInFlight: 1 }).start();
  assert.deepEqual(spans(one.calls), [[14, 15]]);
});

test('the next request is sent before the chunk that just landed is decoded', async () => {
  const net = fakeNetwork();
  const seenAtDecode = [];
  const cache = makeCache(net, {
    maxInFlight: 2,
    onSlices: (start) => seenAtDecode.push([start, net.calls.length]),
  });
  cache.start();
  assert.equal(net.calls.length, 2);
  net.calls[0].answer();
  await tick();
  // When the middle slice was decoded, its replacement request had already been made.
  assert.deepEqual(seenAtDecode, [[14, 3]]);
  assert.deepEqual(spans(net.calls.slice(2)), [[10, 14]]);
});

test('with answers in any order, at most maxInFlight are open and every slice loads once', async () => {
  for (const maxInFlight of [1, 3, 4]) {
    const net = fakeNetwork();
    const cache = makeCache(net, { maxInFlight });
    let seed = 7 + maxInFlight;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    cache.start();
    while (net.open().length) {
      const open = net.open();
      assert.ok(open.length <= maxInFlight);
      open[Math.floor(random() * open.length)].answer();
      await tick();
    }
    assert.equal(net.maxOutstanding, maxInFlight);
    assert.equal(cache.complete, true);
    const counts = new Uint8Array(30);
    for (const { start, stop } of cache.requests) for (let i = start; i < stop; i++) counts[i]++;
    assert.ok(
      counts.every((c) => c === 1),
      `maxInFlight=${maxInFlight}`,
    );
    for (let k = 0; k < 30; k++) {
      assert.equal(cache.volume[cache.offset(k) + 5], value(k, 5));
    }
  }
});

test('answered in order, the requests follow the planned middle-out order', async () => {
  const net = fakeNetwork();
  const cache = makeCache(net, { maxInFlight: 4 });
  cache.start();
  while (net.open().length) {
    net.open()[0].answer();
    await tick();
  }
  assert.deepEqual(
    cache.requests,
    plannedOrder(30, 14, 4).map(({ start, stop }) => ({ start, stop })),
  );
});

test('a scroll while every request is busy fetches the new slice at once, urgently', async () => {
  const net = fakeNetwork();
  const cache = makeCache(net, { maxInFlight: 3 });
  cache.start();
  net.calls[0].answer();
  await tick();
  assert.equal(net.open().length, 3);
  cache.setCurrent(2);
  assert.deepEqual(spans(net.calls.slice(-1)), [[2, 6]]);
  assert.equal(net.open().length, 4); // one above the limit, for the slice on screen
  assert.equal(net.calls.at(-1).urgent, true);
  // Once it lands the limit is back to 3: nothing new until a background chunk lands.
  net.calls.at(-1).answer();
  await tick();
  assert.equal(cache.isLoaded(2), true);
  assert.equal(net.calls.length, 5);
  // Then the stack fills outward from slice 2, nearest first: 0..1, then 6..9.
  net.calls[1].answer();
  await tick();
  net.calls[2].answer();
  await tick();
  assert.deepEqual(spans(net.calls.slice(5)), [
    [0, 2],
    [6, 10],
  ]);
  assert.equal(net.open().length, 3);
});

test('only the middle slice and a jump are urgent; background chunks are not', async () => {
  const net = fakeNetwork();
  const cache = makeCache(net);
  cache.start();
  assert.deepEqual(
    net.calls.map((c) => c.urgent),
    [true, false, false],
  );
  cache.setCurrent(14); // already pending: no extra request
  assert.equal(net.calls.length, 3);
  net.calls[1].answer();
  await tick();
  assert.equal(net.calls.at(-1).urgent, false);
});

test('a short answer frees the slices it did not carry, and they are asked again', async () => {
  let first = true;
  const asked = [];
  const cache = new StackCache({
    nSlices: 3,
    rows: 1,
    cols: 1,
    dtype: 'uint16',
    chunk: 3,
    maxInFlight: 3,
    fetchRange: async (start, stop) => {
      asked.push([start, stop]);
      // The first background chunk comes back with one slice only (a clamped range).
      const count = first && start !== 1 ? 1 : stop - start;
      if (start !== 1) first = false;
      return { start, bytes: shuffle(new Uint16Array(count).fill(9), 1, 1, count) };
    },
  });
  cache.start();
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(cache.complete, true);
  assert.deepEqual(asked, [
    [1, 2],
    [2, 3],
    [0, 1],
  ]);
});

test('a synchronous throw in fetchRange is a retried failure, not a crash', async () => {
  const retries = [];
  let calls = 0;
  const cache = new StackCache({
    nSlices: 1,
    rows: 1,
    cols: 1,
    dtype: 'uint16',
    fetchRange: () => {
      calls++;
      if (calls === 1) throw new Error('offline');
      return Promise.resolve({ start: 0, bytes: shuffle(new Uint16Array([3]), 1, 1, 1) });
    },
    schedule: (fn, ms) => retries.push({ fn, ms }),
  });
  cache.start();
  await tick();
  assert.equal(retries.length, 1);
  retries[0].fn();
  await tick();
  assert.equal(cache.complete, true);
});

// ---- the browser fetcher, with a stubbed fetch ----------------------------------------------

function stubFetch(body, headers, status = 200) {
  const seen = [];
  globalThis.fetch = async (url, init) => {
    seen.push({ url, init });
    // Several small chunks, as a network delivers them.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < body.length; i += 7) controller.enqueue(body.slice(i, i + 7));
        controller.close();
      },
    });
    return new Response(stream, { status, headers });
  };
  return seen;
}

test('a pixel body is read whole into a buffer of the announced size', async () => {
  const body = Uint8Array.from({ length: 48 }, (_, i) => i);
  const seen = stubFetch(body, { 'X-Slice-Start': '4', 'X-Slice-Count': '2' });
  const fetchRange = makeFetchRange('tok/en', '/p/');
  const res = await fetchRange(4, 6, { urgent: false, sliceBytes: 24 });
  assert.equal(res.start, 4);
  assert.deepEqual(res.bytes, body);
  assert.equal(res.bytes.buffer.byteLength, 48); // no growing, no spare room
  assert.equal(seen[0].url, '/p/tok%2Fen/slices?start=4&stop=6');
  assert.equal(seen[0].init.priority, undefined);
});

test('an urgent request asks the browser for a high priority', async () => {
  const seen = stubFetch(new Uint8Array(4), { 'X-Slice-Start': '0', 'X-Slice-Count': '1' });
  await makeFetchRange('t')(0, 1, { urgent: true, sliceBytes: 4 });
  assert.equal(seen[0].init.priority, 'high');
  assert.equal(seen[0].init.credentials, 'same-origin');
});

test('a body longer or shorter than announced still arrives exactly', async () => {
  const long = Uint8Array.from({ length: 50 }, (_, i) => 255 - i);
  assert.deepEqual(await readInto(new Response(long).body, 20), long);
  const short = Uint8Array.from({ length: 9 }, (_, i) => i);
  assert.deepEqual(await readInto(new Response(short).body, 20), short);
  stubFetch(long, { 'X-Slice-Start': '0', 'X-Slice-Count': '1' });
  assert.deepEqual((await makeFetchRange('t')(0, 1, { sliceBytes: 20 })).bytes, long);
  stubFetch(short, { 'X-Slice-Start': '0' }); // no count: read as it comes
  assert.deepEqual((await makeFetchRange('t')(0, 1, { sliceBytes: 20 })).bytes, short);
});

test('a 404 is a permanent failure with the server sentence', async () => {
  const detail = new TextEncoder().encode(JSON.stringify({ detail: 'No such image.' }));
  stubFetch(detail, { 'Content-Type': 'application/json' }, 404);
  await assert.rejects(makeFetchRange('t')(0, 1, {}), (err) => {
    assert.equal(err.message, 'No such image.');
    assert.equal(err.permanent, true);
    return true;
  });
});
