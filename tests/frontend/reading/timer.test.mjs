// Active reading time: visible, focused and interacted with in the last 60 s.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActiveTimer } from '../../../frontend/reading/timer.js';

test('time counts while the reader is active', () => {
  const t = new ActiveTimer({ now: 0 });
  t.interact(10000);
  assert.equal(t.totalMs(30000), 30000);
  assert.equal(t.seconds(30000), 30);
});

test('time stops 60 s after the last interaction and resumes on the next one', () => {
  const t = new ActiveTimer({ now: 0 });
  assert.equal(t.totalMs(200000), 60000);
  t.interact(300000);
  assert.equal(t.totalMs(310000), 70000);
});

test('a hidden or unfocused page does not count', () => {
  const t = new ActiveTimer({ now: 0 });
  t.setVisible(false, 5000);
  t.interact(6000);
  assert.equal(t.totalMs(20000), 5000);
  t.setVisible(true, 20000);
  t.setFocused(false, 25000);
  assert.equal(t.totalMs(40000), 10000);
  t.setFocused(true, 40000);
  t.interact(40000);
  assert.equal(t.totalMs(41000), 11000);
});

test('starting unfocused counts nothing until focus arrives', () => {
  const t = new ActiveTimer({ now: 0, focused: false });
  assert.equal(t.totalMs(10000), 0);
  t.setFocused(true, 10000);
  t.interact(10000);
  assert.equal(t.seconds(12345), 2.3);
});

test('reading the total repeatedly never double counts', () => {
  const t = new ActiveTimer({ now: 0 });
  for (let ms = 0; ms <= 30000; ms += 1000) t.totalMs(ms);
  assert.equal(t.totalMs(30000), 30000);
});
