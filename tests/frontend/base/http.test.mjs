// The shared JSON request: CSRF token lookup, headers, and answers that never throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { csrfToken, isOk, send } from '../../../frontend/base/http.js';

test('the CSRF token comes from the csrftoken cookie', () => {
  assert.equal(csrfToken({ cookie: 'sessionid=x; csrftoken=abc%3D; other=1' }), 'abc=');
});

test('without a readable cookie the token comes from the page meta tag', () => {
  const meta = { getAttribute: (n) => (n === 'content' ? 'from-meta' : null) };
  const doc = { cookie: 'sessionid=x', querySelector: () => meta };
  assert.equal(csrfToken(doc), 'from-meta');
  assert.equal(csrfToken({ cookie: '', querySelector: () => null }), '');
});

function fakeFetch(respond) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return { fetch, calls };
}

test('a body goes out as JSON with the CSRF header; a GET sends neither', async () => {
  const { fetch, calls } = fakeFetch(() => ({ status: 200, json: async () => ({ revision: 4 }) }));
  const doc = { cookie: 'csrftoken=tok' };
  const put = await send('PUT', '/api/x/draft', { scores: {} }, { keepalive: true, fetch, doc });
  assert.deepEqual(put, { status: 200, data: { revision: 4 } });
  assert.equal(calls[0].init.method, 'PUT');
  assert.equal(calls[0].init.body, '{"scores":{}}');
  assert.equal(calls[0].init.keepalive, true);
  assert.equal(calls[0].init.credentials, 'same-origin');
  assert.deepEqual(calls[0].init.headers, {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    'X-CSRFToken': 'tok',
  });
  await send('GET', '/api/x/', undefined, { fetch, doc });
  assert.deepEqual(calls[1].init.headers, { Accept: 'application/json' });
  assert.equal(calls[1].init.body, undefined);
});

test('a network failure is status 0 and a page that is not JSON keeps its status with no data', async () => {
  const offline = fakeFetch(() => {
    throw new TypeError('Failed to fetch');
  });
  assert.deepEqual(await send('GET', '/x', undefined, { fetch: offline.fetch }), { status: 0, data: {} });
  const proxy = fakeFetch(() => ({
    status: 502,
    json: async () => {
      throw new SyntaxError('Unexpected token <');
    },
  }));
  assert.deepEqual(await send('GET', '/x', undefined, { fetch: proxy.fetch }), { status: 502, data: {} });
  const scalar = fakeFetch(() => ({ status: 200, json: async () => 'text' }));
  assert.deepEqual(await send('GET', '/x', undefined, { fetch: scalar.fetch }), { status: 200, data: {} });
});

test('only 2xx answers are ok', () => {
  assert.deepEqual(
    [200, 204, 0, 304, 400, 409, 500].map((status) => isOk({ status })),
    [true, true, false, false, false, false, false],
  );
});
