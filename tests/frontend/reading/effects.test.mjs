// The reading page's effects in the browser: which request each one makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { panesBase, readingEffects } from '../../../frontend/reading/effects.js';

test('the pixel endpoint is found next to the assignment URL, also under a prefix', () => {
  assert.equal(panesBase('/api/reading/glioma-dl/assignments/17/'), '/api/reading/panes/');
  assert.equal(panesBase('/rs/api/reading/s/assignments/3'), '/rs/api/reading/panes/');
  assert.equal(panesBase(undefined), '/api/reading/panes/');
});

test('each effect is one request of the reading API, and navigation goes where it is told', async () => {
  const sent = [];
  const went = [];
  const send = async (...args) => {
    sent.push(args);
    return { status: 200, data: {} };
  };
  const fetchers = [];
  const effects = readingEffects({
    assignmentUrl: '/rs/api/reading/glioma/assignments/3/',
    send,
    navigate: (url) => went.push(url),
    pixelFetcher: (token, base) => {
      fetchers.push([token, base]);
      return 'fetchRange';
    },
  });
  await effects.fetchDetail('/rs/api/reading/glioma/assignments/3/');
  await effects.saveDraft('/rs/api/reading/glioma/assignments/3/draft', { scores: {} }, { keepalive: true });
  await effects.submit('/rs/api/reading/glioma/assignments/3/submit', { scores: {} });
  assert.deepEqual(sent, [
    ['GET', '/rs/api/reading/glioma/assignments/3/'],
    ['PUT', '/rs/api/reading/glioma/assignments/3/draft', { scores: {} }, { keepalive: true }],
    ['POST', '/rs/api/reading/glioma/assignments/3/submit', { scores: {} }],
  ]);
  assert.equal(effects.fetchPixels('tok-A'), 'fetchRange');
  assert.deepEqual(fetchers, [['tok-A', '/rs/api/reading/panes/']]);
  effects.navigate('/read/glioma/4/');
  assert.deepEqual(went, ['/read/glioma/4/']);
});
