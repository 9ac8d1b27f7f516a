// Test probes reach the window only when the page asks for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exposeProbe, probesWanted } from '../../../frontend/base/probes.js';

const rootWith = (dataset, win) => ({ dataset, ownerDocument: { defaultView: win } });

test('a page without data-test-probes exposes nothing', () => {
  const win = {};
  const root = rootWith({ assignmentUrl: '/x' }, win);
  assert.equal(probesWanted(root), false);
  assert.equal(exposeProbe(root, '__readerstudyViewer', { state() {} }), false);
  assert.deepEqual(Object.keys(win), []);
  assert.equal(probesWanted(null), false);
});

test('a page with data-test-probes puts the probe on its window', () => {
  const win = {};
  const probe = { state() {} };
  const root = rootWith({ testProbes: '' }, win);
  assert.equal(probesWanted(root), true);
  assert.equal(exposeProbe(root, '__readerstudyViewer', probe), true);
  assert.equal(win.__readerstudyViewer, probe);
});
