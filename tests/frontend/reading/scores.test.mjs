// Score state and the focus advance rules of the scoring panel.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  anchorFor,
  cellIndex,
  countScored,
  createScoreState,
  digitToValue,
  firstMissing,
  getScore,
  isComplete,
  missing,
  moveFocus,
  nextUnset,
  scoresPayload,
  setScore,
} from '../../../frontend/reading/scores.js';

const crit = (key, required = true, min = 1, max = 5) => ({
  key,
  label: key,
  min,
  max,
  required,
  anchors: ['bad', 'poor', 'ok', 'good', 'great'].slice(0, max - min + 1),
});
const criteria = [crit('quality'), crit('noise'), crit('comment_ok', false)];

test('focus order interleaves panes per criterion', () => {
  const s = createScoreState(criteria, ['A', 'B']);
  assert.deepEqual(s.cells.slice(0, 4), [
    { pane: 'A', key: 'quality' },
    { pane: 'B', key: 'quality' },
    { pane: 'A', key: 'noise' },
    { pane: 'B', key: 'noise' },
  ]);
  assert.equal(createScoreState(criteria, ['A']).cells.length, 3); // sequential design
});

test('loaded scores are kept, unknown criteria and out-of-range values dropped', () => {
  const s = createScoreState(criteria, ['A', 'B'], {
    A: { quality: 4, bogus: 3, noise: 9 },
    B: null,
    C: { quality: 1 },
  });
  assert.deepEqual(scoresPayload(s), { A: { quality: 4 }, B: {} });
});

test('setting a score returns a new state and refuses values off the scale', () => {
  const s0 = createScoreState(criteria, ['A', 'B']);
  const s1 = setScore(s0, 'B', 'noise', 2);
  assert.equal(getScore(s0, 'B', 'noise'), null);
  assert.equal(getScore(s1, 'B', 'noise'), 2);
  assert.equal(getScore(setScore(s1, 'B', 'noise', null), 'B', 'noise'), null);
  assert.throws(() => setScore(s0, 'A', 'noise', 6), /outside 1–5/);
  assert.throws(() => setScore(s0, 'C', 'noise', 3), /Unknown score cell C\/noise/);
});

test('after a score, focus goes to the next UNSET cell, wrapping around', () => {
  let s = createScoreState(criteria, ['A', 'B'], { B: { quality: 3 } });
  assert.equal(nextUnset(s, cellIndex(s, 'A', 'quality')), cellIndex(s, 'A', 'noise')); // skips B/quality
  s = setScore(s, 'B', 'comment_ok', 1);
  assert.equal(nextUnset(s, cellIndex(s, 'A', 'comment_ok')), cellIndex(s, 'A', 'quality')); // wraps
  for (const c of s.cells) s = setScore(s, c.pane, c.key, 3);
  assert.equal(nextUnset(s, 0), -1);
});

test('completeness counts only required criteria', () => {
  let s = createScoreState(criteria, ['A', 'B']);
  assert.deepEqual(missing(s), { A: ['quality', 'noise'], B: ['quality', 'noise'] });
  for (const pane of ['A', 'B']) for (const k of ['quality', 'noise']) s = setScore(s, pane, k, 5);
  assert.equal(isComplete(s), true);
  assert.equal(countScored(s), 4);
  assert.equal(firstMissing(s), -1);
  s = setScore(s, 'B', 'quality', null);
  assert.equal(firstMissing(s), cellIndex(s, 'B', 'quality'));
});

test('focus moves wrap in both directions', () => {
  const s = createScoreState(criteria, ['A', 'B']);
  assert.equal(moveFocus(s, 0, -1), 5);
  assert.equal(moveFocus(s, 5, 1), 0);
  assert.equal(moveFocus(s, 2, 2), 4);
});

test('digits map to values on the scale and anchors to values', () => {
  assert.equal(digitToValue(crit('q'), 4), 4);
  assert.equal(digitToValue(crit('q'), 0), null);
  assert.equal(digitToValue(crit('q'), 6), null);
  assert.equal(digitToValue(crit('z', true, 0, 4), 0), 0);
  assert.equal(digitToValue({ min: -2, max: 2 }, 1), -2); // scale outside 0..9: n-th step
  assert.equal(anchorFor(crit('q'), 4), 'good');
  assert.equal(anchorFor({ min: 1, max: 5 }, 2), '');
});
