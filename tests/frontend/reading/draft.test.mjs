// Draft queue and reconcile decisions: localStorage first, debounce, back-off, 409 stop, reconcile.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autosaver, pushOrphanDrafts } from '../../../frontend/reading/autosave.js';
import {
  classify,
  endpoint,
  localKey,
  parseLocalKey,
  reconcile,
  recordUrl,
  retryDelay,
  sameContent,
  shouldFlushOnHide,
  statusText,
} from '../../../frontend/reading/draft.js';
import { fakeTimers, flushMicrotasks, MemoryStorage } from './fakes.mjs';

/** The reading effects a recorder of (method, url, body) requests stands behind. */
function effectsOf(send) {
  return { fetchDetail: (url) => send('GET', url), saveDraft: (url, body) => send('PUT', url, body) };
}

function harness(responses) {
  const storage = new MemoryStorage();
  const timers = fakeTimers();
  const sent = [];
  const statuses = [];
  const send = async (method, url, body, opts) => {
    sent.push({ method, url, body, opts });
    const r = responses.shift() ?? { status: 200, data: { revision: 99 } };
    if (r === 'network') throw new TypeError('Failed to fetch');
    return r;
  };
  const saver = new Autosaver({
    assignmentUrl: '/api/reading/s/assignments/3/',
    storageKey: localKey('r1', 's', 3),
    storage,
    saveDraft: (url, body, opts) => send('PUT', url, body, opts),
    timers,
    now: () => 1000,
    activeSeconds: () => 12.5,
    revision: 3,
    content: { scores: { A: {}, B: {} }, comment: '', preference: null },
    onStatus: (s) => statuses.push(s.kind),
  });
  return { storage, timers, sent, statuses, saver };
}
const content = (a) => ({ scores: { A: { noise: a }, B: {} }, comment: '', preference: null });

test('a change is in localStorage at once and on the server after the debounce', async () => {
  const h = harness([{ status: 200, data: { revision: 4 } }]);
  h.saver.change(content(4));
  const kept = JSON.parse(h.storage.getItem('readerstudy:draft:v1:r1:s:3'));
  assert.deepEqual(kept.content, content(4));
  assert.equal(kept.baseRevision, 3);
  assert.equal(h.sent.length, 0);
  assert.equal(h.timers.fire(), 400);
  await flushMicrotasks();
  assert.deepEqual(h.sent[0], {
    method: 'PUT',
    url: '/api/reading/s/assignments/3/draft',
    body: { ...content(4), active_seconds: 12.5, revision: 3 },
    opts: { keepalive: false },
  });
  assert.equal(h.saver.revision, 4);
  assert.equal(h.storage.length, 0); // acknowledged: local copy cleared
  assert.deepEqual(h.statuses, ['pending', 'saving', 'saved']);
});

test('rapid changes are coalesced into one save of the full set', async () => {
  const h = harness([]);
  h.saver.change(content(1));
  h.saver.change(content(2));
  h.saver.change(content(3));
  assert.equal(h.timers.pending.size, 1);
  h.timers.fire();
  await flushMicrotasks();
  assert.equal(h.sent.length, 1);
  assert.deepEqual(h.sent[0].body.scores, { A: { noise: 3 }, B: {} });
});

test('offline: the draft stays local, retries back off and succeed later', async () => {
  const h = harness(['network', { status: 503, data: {} }, { status: 200, data: { revision: 5 } }]);
  h.saver.change(content(2));
  h.timers.fire();
  await flushMicrotasks();
  assert.equal(h.saver.status.kind, 'offline');
  assert.equal(statusText(h.saver.status), 'Offline — kept in this browser, will retry');
  assert.ok(h.storage.getItem('readerstudy:draft:v1:r1:s:3'));
  assert.equal(h.timers.fire(), 1000);
  await flushMicrotasks();
  assert.equal(h.timers.fire(), 2000);
  await flushMicrotasks();
  assert.equal(h.saver.status.kind, 'saved');
  assert.equal(h.storage.length, 0);
  assert.equal(h.sent.length, 3);
});

test('the online event retries at once', async () => {
  const h = harness(['network', { status: 200, data: { revision: 4 } }]);
  h.saver.change(content(2));
  h.timers.fire();
  await flushMicrotasks();
  await h.saver.retryNow();
  assert.equal(h.saver.status.kind, 'saved');
  assert.equal(h.timers.pending.size, 0);
});

test('a 409 stops autosaving and shows the server message', async () => {
  const h = harness([{ status: 409, data: { detail: 'Case 3 is already submitted.', status: 'submitted' } }]);
  h.saver.change(content(2));
  h.timers.fire();
  await flushMicrotasks();
  assert.equal(h.saver.stopped, true);
  assert.equal(statusText(h.saver.status), 'Case 3 is already submitted.');
  h.saver.change(content(5));
  assert.equal(h.timers.pending.size, 0);
  assert.equal(h.sent.length, 1);
});

test('changes made while a save is in flight are sent after it, nothing is lost', async () => {
  const h = harness([]);
  h.saver.change(content(1));
  h.timers.fire();
  h.saver.change(content(2)); // while the PUT is in flight
  h.timers.fire(); // debounce fires during flight -> queued
  await flushMicrotasks();
  await h.saver.idle();
  assert.equal(h.sent.length, 2);
  assert.deepEqual(h.sent[1].body.scores.A, { noise: 2 });
  assert.equal(h.saver.unsent, false);
  assert.equal(h.storage.length, 0);
});

test('leaving the page sends unsent changes with keepalive', async () => {
  const h = harness([]);
  h.saver.change(content(1));
  assert.equal(h.saver.flushOnHide(true), true);
  await flushMicrotasks();
  assert.equal(h.sent[0].opts.keepalive, true);
  assert.equal(h.saver.flushOnHide(true), false); // nothing new
});

test('hide-flush rules: time alone is sent only for an assignment with content', () => {
  const base = { unsent: false, hasContent: true, activeSeconds: 40, sentActiveSeconds: 30, stopped: false };
  assert.equal(shouldFlushOnHide(base), true);
  assert.equal(shouldFlushOnHide({ ...base, hasContent: false }), false);
  assert.equal(shouldFlushOnHide({ ...base, activeSeconds: 31 }), false);
  assert.equal(shouldFlushOnHide({ ...base, unsent: true, hasContent: false }), true);
  assert.equal(shouldFlushOnHide({ ...base, unsent: true, stopped: true }), false);
});

const server = (over) => ({
  revision: 3,
  editable: true,
  scores: { A: { noise: 4 }, B: {} },
  comment: '',
  preference: null,
  ...over,
});

test('reconcile pushes an unsent local draft made on the current revision', () => {
  assert.equal(reconcile(server(), { content: content(2), baseRevision: 3, changedAt: 5 }).action, 'push');
  assert.equal(reconcile(server({ revision: 2 }), { content: content(2), baseRevision: 3 }).action, 'push');
});

test('reconcile discards a local copy the server already has, or that can no longer be saved', () => {
  assert.equal(reconcile(server(), { content: content(4), baseRevision: 1 }).action, 'discard');
  assert.equal(reconcile(server({ editable: false }), { content: content(2), baseRevision: 3 }).action, 'discard');
  assert.equal(reconcile(server(), null).action, 'none');
});

test('reconcile keeps unsent scores even when another window saved meanwhile', () => {
  // the server keeps the other revision in its audit trail, so pushing loses nothing
  assert.equal(reconcile(server({ revision: 7 }), { content: content(2), baseRevision: 3 }).action, 'push');
  // but a server timestamp newer than the local change wins if the server ever sends one
  const d = reconcile(server({ revision: 7, saved_at: '2026-01-02T00:00:00Z' }), {
    content: content(2),
    baseRevision: 3,
    changedAt: Date.parse('2026-01-01T00:00:00Z'),
  });
  assert.equal(d.action, 'discard');
});

test('score order and key order do not make contents differ', () => {
  const a = { scores: { B: { y: 1, x: 2 }, A: {} }, comment: 'c', preference: 'A' };
  const b = { scores: { A: {}, B: { x: 2, y: 1 } }, comment: 'c', preference: 'A' };
  assert.equal(sameContent(a, b), true);
  assert.equal(sameContent(a, { ...b, preference: 'none' }), false);
});

test('answers are classified for retry, stop or refusal', () => {
  assert.deepEqual([0, 200, 400, 401, 404, 409, 429, 502].map(classify), [
    'retry',
    'ok',
    'invalid',
    'auth',
    'gone',
    'conflict',
    'retry',
    'retry',
  ]);
  assert.deepEqual([1, 2, 3, 6, 10].map(retryDelay), [1000, 2000, 4000, 30000, 30000]);
});

test('storage keys are per reader, study and read order', () => {
  assert.equal(localKey('abc', 'glioma-dl', 17), 'readerstudy:draft:v1:abc:glioma-dl:17');
  assert.deepEqual(parseLocalKey('readerstudy:draft:v1:abc:glioma-dl:17'), {
    reader: 'abc',
    study: 'glioma-dl',
    readOrder: 17,
  });
  assert.equal(parseLocalKey('other:thing'), null);
  assert.equal(endpoint('/api/reading/s/assignments/3/', 'submit'), '/api/reading/s/assignments/3/submit');
});

test('drafts left unsent for other assignments are pushed on the next page load', async () => {
  const storage = new MemoryStorage();
  const mine = {
    v: 1,
    assignmentUrl: '/api/reading/s/assignments/2/',
    content: content(5),
    baseRevision: 1,
    activeSeconds: 9,
  };
  storage.setItem(localKey('r1', 's', 2), JSON.stringify(mine));
  storage.setItem(localKey('r2', 's', 2), JSON.stringify(mine)); // another reader on this browser
  storage.setItem(localKey('r1', 's', 3), JSON.stringify(mine)); // the assignment being opened
  const calls = [];
  const send = async (method, url, body) => {
    calls.push([method, url, body?.revision]);
    return method === 'GET'
      ? { status: 200, data: { assignment: { revision: 1, editable: true }, scores: { A: {}, B: {} } } }
      : { status: 200, data: { revision: 2 } };
  };
  const pushed = await pushOrphanDrafts({ storage, reader: 'r1', skipKey: localKey('r1', 's', 3), ...effectsOf(send) });
  assert.deepEqual(pushed, [2]);
  assert.deepEqual(calls, [
    ['GET', '/api/reading/s/assignments/2/', undefined],
    ['PUT', '/api/reading/s/assignments/2/draft', 1],
  ]);
  assert.equal(storage.getItem(localKey('r1', 's', 2)), null);
  assert.ok(storage.getItem(localKey('r2', 's', 2)));
  assert.ok(storage.getItem(localKey('r1', 's', 3)));
});

test('a draft kept under the former task URL still reaches its assignment', async () => {
  assert.equal(recordUrl({ assignmentUrl: '/api/reading/s/assignments/4/' }), '/api/reading/s/assignments/4/');
  assert.equal(recordUrl({ taskUrl: '/rs/api/reading/s/tasks/4/' }), '/rs/api/reading/s/assignments/4/');
  assert.equal(recordUrl({}), null);
  const storage = new MemoryStorage();
  const old = { v: 1, taskUrl: '/api/reading/s/tasks/2/', content: content(5), baseRevision: 1, activeSeconds: 9 };
  storage.setItem(localKey('r1', 's', 2), JSON.stringify(old));
  const calls = [];
  const send = async (method, url) => {
    calls.push([method, url]);
    return method === 'GET'
      ? { status: 200, data: { assignment: { revision: 1, editable: true }, scores: { A: {}, B: {} } } }
      : { status: 200, data: { revision: 2 } };
  };
  assert.deepEqual(await pushOrphanDrafts({ storage, reader: 'r1', skipKey: null, ...effectsOf(send) }), [2]);
  assert.deepEqual(calls, [
    ['GET', '/api/reading/s/assignments/2/'],
    ['PUT', '/api/reading/s/assignments/2/draft'],
  ]);
});
