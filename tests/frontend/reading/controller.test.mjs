// The reading page's controller: every rule of the page, driven by actions with fake effects,
// storage, timers and clocks (no DOM, no network).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createReadingController, ORPHAN_PUSH_DELAY_MS } from '../../../frontend/reading/controller.js';
import { localKey } from '../../../frontend/reading/draft.js';
import { fakeTimers, flushMicrotasks, MemoryStorage } from './fakes.mjs';

const URL = '/api/reading/glioma/assignments/3/';
const CRITERIA = [
  { key: 'overall', label: 'Overall quality', min: 1, max: 5, required: true, anchors: [] },
  { key: 'noise', label: 'Noise', min: 1, max: 5, required: true, anchors: [] },
  { key: 'artefacts', label: 'Artefacts', min: 1, max: 5, required: false, anchors: [] },
];

function detailFor(over = {}) {
  const panes = over.panes ?? ['A', 'B'];
  return {
    study: { slug: 'glioma', title: 'Glioma', design: panes.length > 1 ? 'side_by_side' : 'sequential' },
    assignment: {
      read_order: 3,
      label: 'Case 3',
      status: 'pending',
      editable: true,
      comment: '',
      preference: null,
      ask_preference: true,
      allow_comment: true,
      active_seconds: 0,
      revision: 2,
      ...over.assignment,
    },
    panes: panes.map((name) => ({ name, token: `tok-${name}` })),
    criteria: CRITERIA,
    scores: over.scores ?? Object.fromEntries(panes.map((name) => [name, {}])),
    next_url: 'next_url' in over ? over.next_url : '/read/glioma/4/',
    previous_url: '/read/glioma/2/',
  };
}

/**
 * Effects that record every call. `answers.saveDraft` / `answers.submit` are queues of answers
 * (or functions returning a promise); an empty queue answers 200.
 */
function fakeEffects(answers = {}) {
  const calls = [];
  const next = (queue, fallback) => {
    const a = (answers[queue] ?? []).shift() ?? fallback;
    return typeof a === 'function' ? a() : Promise.resolve(a);
  };
  return {
    calls,
    of: (kind) => calls.filter((c) => c[0] === kind),
    fetchDetail: (url) => {
      calls.push(['fetchDetail', url]);
      return next('fetchDetail', { status: 404, data: {} });
    },
    fetchPixels: (token) => {
      calls.push(['fetchPixels', token]);
      return () => {};
    },
    saveDraft: (url, body, opts) => {
      calls.push(['saveDraft', url, body, opts]);
      return next('saveDraft', { status: 200, data: { revision: body.revision + 1 } });
    },
    submit: (url, body) => {
      calls.push(['submit', url, body]);
      return next('submit', { status: 200, data: { status: 'submitted', next_url: '/read/glioma/4/' } });
    },
    navigate: (url) => calls.push(['navigate', url]),
  };
}

function setup({ detail = detailFor(), answers, storage = new MemoryStorage(), start = true } = {}) {
  const effects = fakeEffects(answers);
  const timers = fakeTimers();
  const clock = { t: 1000 };
  const views = [];
  const controller = createReadingController({
    detail,
    assignmentUrl: URL,
    worklistUrl: '/read/',
    reader: 'r1',
    effects,
    storage,
    clock: () => clock.t,
    now: () => 5000,
    timers,
    onChange: (v) => views.push(v),
  });
  if (start) controller.start();
  const view = () => controller.view();
  const cell = () => {
    const v = view();
    return v.state.cells[v.focus];
  };
  /** Fire the autosave timers pending now (not the leftover-draft push) and let the answers arrive. */
  const settle = async () => {
    for (const [id, t] of [...timers.pending]) {
      if (t.ms === ORPHAN_PUSH_DELAY_MS) continue;
      timers.pending.delete(id);
      t.fn();
    }
    await flushMicrotasks();
  };
  return { controller, effects, timers, clock, views, storage, view, cell, settle };
}

const scoreAll = (controller, digits) => {
  for (const d of digits) controller.key(`score-${d}`);
};

test('nothing is rendered or sent before start; start renders the first view', () => {
  const s = setup({ start: false });
  assert.equal(s.views.length, 0);
  assert.equal(s.timers.pending.size, 0);
  s.controller.start();
  assert.equal(s.views.length, 1);
  const v = s.views[0];
  assert.equal(v.focus, 0);
  assert.deepEqual(s.cell(), { pane: 'A', key: 'overall' });
  assert.equal(v.submitLabel, 'Submit & next (Enter)');
  assert.equal(v.statusText, 'Saved');
  assert.equal(v.banner, '');
  assert.equal(v.readOnly, false);
  assert.deepEqual(s.effects.calls, []);
});

test('a digit scores the focused cell and the focus moves to the next unset one, A and B in turn', () => {
  const s = setup();
  s.controller.key('score-4');
  assert.deepEqual(s.cell(), { pane: 'B', key: 'overall' });
  s.controller.key('score-3');
  assert.deepEqual(s.cell(), { pane: 'A', key: 'noise' });
  assert.deepEqual(s.controller.snapshot().scores, { A: { overall: 4 }, B: { overall: 3 } });
  assert.equal(s.view().scored, 2);
  assert.equal(s.view().statusText, 'Unsaved changes…');
});

test('a click scores any cell, and the focus goes on from there to the next unset cell', () => {
  const s = setup();
  s.controller.score('B', 'noise', 2);
  assert.deepEqual(s.cell(), { pane: 'A', key: 'artefacts' });
  s.controller.focusCell('A', 'overall');
  assert.deepEqual(s.cell(), { pane: 'A', key: 'overall' });
  s.controller.score('A', 'overall', null);
  assert.deepEqual(s.cell(), { pane: 'A', key: 'overall' }, 'clearing keeps the focus where it is');
});

test('a digit off the scale scores nothing and says what the scale is', () => {
  const s = setup();
  s.controller.key('score-7');
  assert.equal(s.view().message, '“Overall quality” is scored 1–5.');
  assert.equal(s.view().messageKind, 'error');
  assert.equal(s.view().scored, 0);
  assert.equal(s.timers.pending.size, 1, 'only the leftover-draft push is scheduled, no autosave');
});

test('arrows and Tab move the focus and wrap; Backspace clears the focused score', () => {
  const s = setup();
  s.controller.key('focus-prev');
  assert.deepEqual(s.cell(), { pane: 'B', key: 'artefacts' });
  s.controller.key('focus-next');
  s.controller.key('focus-next');
  assert.deepEqual(s.cell(), { pane: 'B', key: 'overall' });
  s.controller.key('score-5');
  assert.deepEqual(s.cell(), { pane: 'A', key: 'noise' });
  s.controller.key('focus-prev');
  assert.deepEqual(s.cell(), { pane: 'B', key: 'overall' });
  s.controller.key('clear');
  assert.deepEqual(s.controller.snapshot().scores.B, {});
  assert.deepEqual(s.cell(), { pane: 'B', key: 'overall' });
});

test('a held digit scores once, a held arrow keeps moving', () => {
  const s = setup();
  s.controller.key('score-4');
  s.controller.key('score-4', { repeat: true });
  assert.equal(s.view().scored, 1);
  s.controller.key('focus-next', { repeat: true });
  assert.deepEqual(s.cell(), { pane: 'A', key: 'noise' });
});

test('every change is kept in this browser at once and autosaved after the debounce', async () => {
  const s = setup();
  s.controller.key('score-4');
  const kept = JSON.parse(s.storage.getItem(localKey('r1', 'glioma', 3)));
  assert.deepEqual(kept.content.scores, { A: { overall: 4 }, B: {} });
  assert.equal(kept.assignmentUrl, URL);
  assert.equal(s.effects.of('saveDraft').length, 0, 'nothing is sent before the debounce');
  s.controller.key('score-3');
  await s.settle();
  const saves = s.effects.of('saveDraft');
  assert.equal(saves.length, 1, 'two quick changes go out as one save');
  const [, url, body, opts] = saves[0];
  assert.equal(url, `${URL}draft`);
  assert.deepEqual(body.scores, { A: { overall: 4 }, B: { overall: 3 } });
  assert.equal(body.revision, 2);
  assert.deepEqual(opts, { keepalive: false });
  assert.equal(s.view().statusText, 'Saved');
  assert.equal(s.controller.snapshot().revision, 3);
  assert.equal(s.storage.getItem(localKey('r1', 'glioma', 3)), null, 'the saved draft is no longer kept locally');
});

test('hiding the page sends unsent changes with keepalive; coming back retries a failed save', async () => {
  const s = setup({ answers: { saveDraft: [{ status: 0, data: {} }] } });
  s.controller.key('score-2');
  s.controller.setVisible(false);
  await flushMicrotasks();
  assert.deepEqual(s.effects.of('saveDraft')[0][3], { keepalive: true });
  assert.equal(s.view().statusKind, 'offline');
  s.controller.setVisible(true);
  await flushMicrotasks();
  assert.equal(s.effects.of('saveDraft').length, 2);
  assert.equal(s.view().statusKind, 'saved');
});

test('the connection coming back retries at once; leaving the page sends what is unsent', async () => {
  const s = setup({ answers: { saveDraft: [{ status: 503, data: {} }] } });
  s.controller.key('score-2');
  await s.settle();
  assert.equal(s.view().statusKind, 'offline');
  s.controller.online();
  await flushMicrotasks();
  assert.equal(s.view().statusKind, 'saved');
  s.controller.key('score-3');
  assert.equal(s.controller.pageHide(), true);
  assert.deepEqual(s.effects.of('saveDraft').at(-1)[3], { keepalive: true });
});

test('Enter with required scores missing submits nothing and jumps to the first unset one', async () => {
  const s = setup();
  s.controller.score('A', 'overall', 4);
  s.controller.score('B', 'overall', 4);
  s.controller.score('B', 'noise', 4);
  s.controller.focusCell('B', 'artefacts');
  await s.controller.submit();
  assert.equal(s.effects.of('submit').length, 0);
  assert.deepEqual(s.cell(), { pane: 'A', key: 'noise' });
  assert.deepEqual([...s.view().missingCells], ['A/noise']);
  assert.equal(s.view().message, 'Score every required criterion before submitting — 1 missing (highlighted).');
  s.controller.key('score-3');
  assert.deepEqual([...s.view().missingCells], [], 'scoring a highlighted cell clears its mark');
  assert.equal(s.view().message, 'All required scores set — press Enter to submit.');
  assert.equal(s.view().messageKind, 'hint');
});

test('submit waits for a draft save in flight, sends every answer once and opens the next case', async () => {
  let releaseDraft;
  const slowDraft = () =>
    new Promise((resolve) => {
      releaseDraft = () => resolve({ status: 200, data: { revision: 7 } });
    });
  const s = setup({ answers: { saveDraft: [slowDraft] } });
  s.clock.t = 1000;
  scoreAll(s.controller, [4, 3, 5, 4]);
  s.controller.setPreference('B');
  s.controller.setComment('motion in B');
  s.timers.fireDelay(400); // the debounce: the draft goes out and hangs
  const done = s.controller.submit();
  s.controller.key('submit'); // a second Enter while submitting
  assert.equal(s.view().submitting, true);
  assert.equal(s.view().submitLabel, 'Submitting…');
  await flushMicrotasks();
  assert.equal(s.effects.of('submit').length, 0, 'the submit waits for the draft');
  s.clock.t = 13500;
  releaseDraft();
  await done;
  const submits = s.effects.of('submit');
  assert.equal(submits.length, 1);
  const [, url, body] = submits[0];
  assert.equal(url, `${URL}submit`);
  assert.deepEqual(body, {
    scores: { A: { overall: 4, noise: 5 }, B: { overall: 3, noise: 4 } },
    comment: 'motion in B',
    preference: 'B',
    active_seconds: 12.5,
    revision: 7,
  });
  assert.deepEqual(s.effects.of('navigate'), [['navigate', '/read/glioma/4/']]);
  assert.equal(s.view().statusText, 'Submitted');
  assert.equal(s.storage.getItem(localKey('r1', 'glioma', 3)), null);
});

test('after the last case, submit opens the worklist', async () => {
  const s = setup({
    answers: { submit: [{ status: 200, data: { status: 'submitted', next_url: null, worklist_url: '/read/' } }] },
  });
  scoreAll(s.controller, [4, 4, 4, 4]);
  await s.controller.submit();
  assert.deepEqual(s.effects.of('navigate'), [['navigate', '/read/']]);
});

test("the server's missing scores are highlighted and focused", async () => {
  const answer = {
    status: 400,
    data: { detail: 'Score every required criterion before submitting.', missing: { A: [], B: ['noise'] } },
  };
  const s = setup({ answers: { submit: [answer] } });
  scoreAll(s.controller, [4, 4, 4, 4]);
  await s.controller.submit();
  assert.deepEqual([...s.view().missingCells], ['B/noise']);
  assert.deepEqual(s.cell(), { pane: 'B', key: 'noise' });
  assert.equal(s.view().message, 'Score every required criterion before submitting.');
  assert.equal(s.view().submitting, false);
  assert.equal(s.effects.of('navigate').length, 0);
});

test('a submit that fails keeps the scores in this browser and says what to do', async () => {
  const cases = [
    [{ status: 0, data: {} }, /no connection to the server/],
    [{ status: 401, data: {} }, /Your session has ended/],
    [{ status: 404, data: {} }, /The server refused the submission \(error 404\)/],
  ];
  for (const [answer, text] of cases) {
    const s = setup({ answers: { submit: [answer] } });
    scoreAll(s.controller, [4, 4, 4, 4]);
    await s.controller.submit();
    assert.match(s.view().message, text);
    assert.equal(s.view().submitting, false);
    if (answer.status === 0 || answer.status === 401) {
      const kept = JSON.parse(s.storage.getItem(localKey('r1', 'glioma', 3)));
      assert.deepEqual(kept.content.scores, { A: { overall: 4, noise: 4 }, B: { overall: 4, noise: 4 } });
    }
  }
});

test('a submit answered 409 locks the page and says why', async () => {
  const s = setup({ answers: { submit: [{ status: 409, data: { detail: 'Already submitted elsewhere.' } }] } });
  scoreAll(s.controller, [4, 4, 4, 4]);
  await s.controller.submit();
  assert.equal(s.view().banner, 'Already submitted elsewhere.');
  assert.equal(s.view().message, 'Already submitted elsewhere.');
  assert.equal(s.view().readOnly, true);
  s.controller.key('score-1');
  assert.equal(s.view().state.scores.A.overall, 4, 'a locked page takes no scores');
  assert.equal(s.effects.of('navigate').length, 0);
});

test('a draft answered 409 stops autosaving; Enter then only opens the next case', async () => {
  const s = setup({ answers: { saveDraft: [{ status: 409, data: { detail: 'Submitted in another window.' } }] } });
  s.controller.key('score-4');
  await s.settle();
  assert.equal(s.view().statusKind, 'conflict');
  assert.equal(s.view().statusText, 'Submitted in another window.');
  assert.equal(s.view().readOnly, true);
  await s.controller.submit();
  assert.equal(s.effects.of('submit').length, 0);
  assert.deepEqual(s.effects.of('navigate'), [['navigate', '/read/glioma/4/']]);
});

test('a locked assignment shows its scores read-only and Enter opens the next case', async () => {
  const detail = detailFor({
    assignment: { status: 'submitted', editable: false, preference: 'A', comment: 'fine' },
    scores: { A: { overall: 4, noise: 4 }, B: { overall: 3, noise: 3 } },
  });
  const s = setup({ detail });
  const v = s.view();
  assert.equal(v.readOnly, true);
  assert.equal(v.banner, 'Submitted — scores are locked.');
  assert.equal(v.submitLabel, 'Next case (Enter)');
  assert.equal(v.statusKind, 'none');
  assert.equal(v.statusText, '');
  assert.equal(v.message, '');
  s.controller.key('score-1');
  s.controller.score('A', 'overall', 1);
  s.controller.key('prefer-B');
  s.controller.setComment('changed');
  assert.deepEqual(s.controller.snapshot().scores, detail.scores);
  assert.equal(s.controller.snapshot().preference, 'A');
  assert.equal(s.controller.snapshot().comment, 'fine');
  await s.controller.submit();
  assert.deepEqual(s.effects.calls, [['navigate', '/read/glioma/4/']]);
});

test('a locked last case has nowhere to go: Enter does nothing', async () => {
  const s = setup({ detail: detailFor({ assignment: { status: 'submitted', editable: false }, next_url: null }) });
  assert.equal(s.view().submitLabel, 'Submitted');
  await s.controller.submit();
  assert.deepEqual(s.effects.calls, []);
});

test('a submitted assignment that may be revised says that changes are a new revision', () => {
  const s = setup({ detail: detailFor({ assignment: { status: 'submitted', editable: true } }) });
  assert.equal(s.view().banner, 'Submitted. Changes are saved as a draft revision; press Enter to submit them.');
  s.controller.key('score-2');
  assert.equal(s.view().scored, 1);
});

test('preference keys and buttons work only where a preference is asked between two panes', async () => {
  const s = setup();
  s.controller.key('prefer-B');
  assert.equal(s.controller.snapshot().preference, 'B');
  s.controller.setPreference('none');
  assert.equal(s.view().preference, 'none');
  await s.settle();
  assert.equal(s.effects.of('saveDraft')[0][2].preference, 'none');

  const notAsked = setup({ detail: detailFor({ assignment: { ask_preference: false } }) });
  notAsked.controller.key('prefer-A');
  notAsked.controller.setPreference('A');
  assert.equal(notAsked.controller.snapshot().preference, null);

  const sequential = setup({ detail: detailFor({ panes: ['A'] }) });
  sequential.controller.key('prefer-A');
  assert.equal(sequential.controller.snapshot().preference, null);
  assert.deepEqual(sequential.controller.paneNames, ['A']);
});

test('the comment is part of the answers and autosaved', async () => {
  const s = setup();
  s.controller.setComment('ringing at the vertex');
  assert.equal(s.view().comment, 'ringing at the vertex');
  await s.settle();
  assert.equal(s.effects.of('saveDraft')[0][2].comment, 'ringing at the vertex');
});

test('a draft kept in this browser that the server lacks is restored and sent at once', async () => {
  const storage = new MemoryStorage();
  const kept = {
    v: 1,
    assignmentUrl: URL,
    content: { scores: { A: { overall: 2 }, B: { overall: 5 } }, comment: 'from before', preference: 'A' },
    baseRevision: 2,
    changedAt: 4000,
    activeSeconds: 40,
  };
  storage.setItem(localKey('r1', 'glioma', 3), JSON.stringify(kept));
  const s = setup({ storage, start: false });
  const decision = s.controller.start();
  assert.equal(decision.action, 'push');
  const snap = s.controller.snapshot();
  assert.deepEqual(snap.scores, kept.content.scores);
  assert.equal(snap.comment, 'from before');
  assert.equal(snap.preference, 'A');
  assert.equal(snap.activeSeconds, 40, 'the reading time kept locally counts');
  assert.deepEqual(s.cell(), { pane: 'A', key: 'noise' });
  const v = s.views.at(-1);
  assert.equal(v.comment, 'from before', 'the view carries the restored comment to the box');
  assert.equal(v.message, 'Restored scores that were kept in this browser; sending them now.');
  assert.equal(v.messageKind, 'info');
  await flushMicrotasks();
  const saves = s.effects.of('saveDraft');
  assert.equal(saves.length, 1, 'sent without waiting for a change');
  assert.deepEqual(saves[0][2].scores, kept.content.scores);
});

test('a kept draft the server already has, or of a locked assignment, is dropped', () => {
  for (const over of [
    { scores: { A: { overall: 2 }, B: {} } },
    { assignment: { status: 'submitted', editable: false } },
  ]) {
    const storage = new MemoryStorage();
    const kept = {
      v: 1,
      assignmentUrl: URL,
      content: { scores: { A: { overall: 2 }, B: {} }, comment: '', preference: null },
      baseRevision: 2,
    };
    storage.setItem(localKey('r1', 'glioma', 3), JSON.stringify(kept));
    const s = setup({ detail: detailFor(over), storage });
    assert.equal(storage.getItem(localKey('r1', 'glioma', 3)), null);
    assert.equal(s.effects.of('saveDraft').length, 0);
  }
});

test("other assignments' drafts left in this browser are pushed after a short delay", async () => {
  const storage = new MemoryStorage();
  const other = '/api/reading/glioma/assignments/1/';
  const kept = {
    v: 1,
    assignmentUrl: other,
    content: { scores: { A: { noise: 3 }, B: {} }, comment: '', preference: null },
    baseRevision: 0,
  };
  storage.setItem(localKey('r1', 'glioma', 1), JSON.stringify(kept));
  const detailOfOther = {
    status: 200,
    data: { assignment: { revision: 0, editable: true }, scores: { A: {}, B: {} } },
  };
  const s = setup({ storage, answers: { fetchDetail: [detailOfOther] } });
  assert.equal(s.effects.calls.length, 0);
  s.timers.fireDelay(ORPHAN_PUSH_DELAY_MS);
  await flushMicrotasks();
  assert.deepEqual(s.effects.of('fetchDetail'), [['fetchDetail', other]]);
  assert.equal(s.effects.of('saveDraft')[0][1], `${other}draft`);
  assert.equal(storage.getItem(localKey('r1', 'glioma', 1)), null);
});

test('active time counts while the page is visible, focused and in use, and goes with each save', async () => {
  const s = setup({ detail: detailFor({ assignment: { active_seconds: 10 } }) });
  s.clock.t = 6000; // 5 s after opening
  assert.equal(s.controller.snapshot().activeSeconds, 15);
  s.controller.setFocused(false);
  s.clock.t = 30000; // unfocused: does not count
  s.controller.setFocused(true);
  s.clock.t = 32000;
  s.controller.interact();
  assert.equal(s.controller.snapshot().activeSeconds, 17);
  s.clock.t = 200000; // idle for more than a minute: only the first 60 s count
  s.controller.pointerMove();
  assert.equal(s.controller.snapshot().activeSeconds, 77);
  s.controller.key('score-4');
  await s.settle();
  assert.equal(s.effects.of('saveDraft')[0][2].active_seconds, 77);
});
