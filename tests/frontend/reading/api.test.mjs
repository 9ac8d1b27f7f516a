// API helpers: CSRF token lookup and the pixel endpoint next to the assignment URL.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrfToken, panesBase } from '../../../frontend/reading/api.js';

test('the CSRF token comes from the csrftoken cookie', () => {
  assert.equal(csrfToken({ cookie: 'sessionid=x; csrftoken=abc%3D; other=1' }), 'abc=');
});

test('without a readable cookie the token comes from the page meta tag', () => {
  const meta = { getAttribute: (n) => (n === 'content' ? 'from-meta' : null) };
  const doc = { cookie: 'sessionid=x', querySelector: () => meta };
  assert.equal(csrfToken(doc), 'from-meta');
  assert.equal(csrfToken({ cookie: '', querySelector: () => null }), '');
});

test('the pixel endpoint is found next to the assignment URL, also under a prefix', () => {
  assert.equal(panesBase('/api/reading/glioma-dl/assignments/17/'), '/api/reading/panes/');
  assert.equal(panesBase('/rs/api/reading/s/assignments/3'), '/rs/api/reading/panes/');
  assert.equal(panesBase(undefined), '/api/reading/panes/');
});
