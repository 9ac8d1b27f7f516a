// Key bindings: viewer and scoring keys never collide; typing in the comment box fires nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatchKey, isTypingTarget, READING_KEYS, scoreDigit } from '../../../frontend/reading/keys.js';
import {
  DEFAULT_BINDINGS,
  descriptorsFor,
  mergeBindings,
  resolveDrag,
  resolveKey,
  wheelSteps,
} from '../../../frontend/viewer/bindings.js';

const body = { tagName: 'BODY' };
const key = (k, code, mods = {}) => ({ key: k, code, target: body, ...mods });

test('no key descriptor is bound by both the viewer and the scoring panel', () => {
  const viewer = new Set(Object.keys(DEFAULT_BINDINGS.keys));
  const clash = Object.keys(READING_KEYS).filter((d) => viewer.has(d));
  assert.deepEqual(clash, []);
});

test('every physical key reaches exactly one owner', () => {
  const samples = [
    key('1', 'Digit1'),
    key('!', 'Digit1', { shiftKey: true }),
    key('ArrowUp', 'ArrowUp'),
    key('ArrowLeft', 'ArrowLeft'),
    key('i', 'KeyI'),
    key('a', 'KeyA'),
    key(' ', 'Space'),
    key('Home', 'Home'),
    key('Enter', 'Enter'),
    key('Tab', 'Tab'),
    key('m', 'KeyM'),
    key('n', 'KeyN'),
  ];
  for (const e of samples) {
    const owners = [
      resolveKey(e) && 'viewer',
      READING_KEYS[descriptorsFor(e).find((d) => READING_KEYS[d])] && 'reading',
    ].filter(Boolean);
    assert.equal(owners.length, 1, `${e.code}${e.shiftKey ? '+shift' : ''} -> ${owners}`);
  }
});

test('plain digits score, Shift+digits pick window presets on any layout', () => {
  assert.deepEqual(dispatchKey(key('3', 'Digit3')), { owner: 'reading', action: 'score-3' });
  assert.deepEqual(dispatchKey(key('3', 'Numpad3')), { owner: 'reading', action: 'score-3' });
  assert.deepEqual(dispatchKey(key('#', 'Digit3', { shiftKey: true })), { owner: 'viewer', action: 'preset-3' });
  // AZERTY: the unshifted key gives "é" and Shift gives "2"; the physical key decides
  assert.deepEqual(dispatchKey(key('é', 'Digit2')), { owner: 'reading', action: 'score-2' });
  assert.deepEqual(dispatchKey(key('2', 'Digit2', { shiftKey: true })), { owner: 'viewer', action: 'preset-2' });
  assert.equal(scoreDigit('score-7'), 7);
  assert.equal(scoreDigit('submit'), null);
});

test('viewer keys scroll, reset, invert and maximize', () => {
  assert.equal(dispatchKey(key('ArrowDown', 'ArrowDown')).action, 'slice-next');
  assert.equal(dispatchKey(key('ArrowUp', 'ArrowUp')).action, 'slice-prev');
  assert.equal(dispatchKey(key('Home', 'Home')).action, 'slice-first');
  assert.equal(dispatchKey(key('End', 'End')).action, 'slice-last');
  assert.equal(dispatchKey(key(' ', 'Space')).action, 'reset');
  assert.equal(dispatchKey(key('I', 'KeyI')).action, 'invert'); // caps lock on
  assert.equal(dispatchKey(key('m', 'KeyM')).action, 'maximize');
});

test('scoring panel keys move focus, submit and set the preference', () => {
  assert.equal(dispatchKey(key('Tab', 'Tab')).action, 'focus-next');
  assert.equal(dispatchKey(key('Tab', 'Tab', { shiftKey: true })).action, 'focus-prev');
  assert.equal(dispatchKey(key('ArrowRight', 'ArrowRight')).action, 'focus-next');
  assert.equal(dispatchKey(key('ArrowLeft', 'ArrowLeft')).action, 'focus-prev');
  assert.equal(dispatchKey(key('Enter', 'Enter')).action, 'submit');
  assert.equal(dispatchKey(key('a', 'KeyA')).action, 'prefer-A');
  assert.equal(dispatchKey(key('b', 'KeyB')).action, 'prefer-B');
  assert.equal(dispatchKey(key('n', 'KeyN')).action, 'prefer-none');
});

test('browser shortcuts with Ctrl, Alt or Meta are left alone', () => {
  assert.equal(dispatchKey(key('r', 'KeyR', { ctrlKey: true })), null);
  assert.equal(dispatchKey(key('1', 'Digit1', { ctrlKey: true })), null);
  assert.equal(dispatchKey(key('a', 'KeyA', { metaKey: true })), null);
  assert.equal(dispatchKey(key('ArrowLeft', 'ArrowLeft', { altKey: true })), null);
});

test('typing in the comment box triggers no shortcut, Escape leaves it', () => {
  const textarea = { tagName: 'TEXTAREA' };
  for (const [k, code] of [
    ['3', 'Digit3'],
    ['a', 'KeyA'],
    ['i', 'KeyI'],
    [' ', 'Space'],
    ['Enter', 'Enter'],
    ['ArrowUp', 'ArrowUp'],
    ['Tab', 'Tab'],
  ]) {
    assert.equal(dispatchKey({ key: k, code, target: textarea }), null, k);
  }
  assert.deepEqual(dispatchKey({ key: 'Escape', code: 'Escape', target: textarea }), {
    owner: 'reading',
    action: 'blur',
  });
  assert.equal(dispatchKey({ key: 'a', code: 'KeyA', target: body, isComposing: true }), null);
});

test('text inputs count as typing targets, buttons and checkboxes do not', () => {
  assert.equal(isTypingTarget({ tagName: 'INPUT', type: 'text' }), true);
  assert.equal(isTypingTarget({ tagName: 'input', type: 'search' }), true);
  assert.equal(isTypingTarget({ tagName: 'DIV', isContentEditable: true }), true);
  assert.equal(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' }), false);
  assert.equal(isTypingTarget({ tagName: 'BUTTON' }), false);
  assert.equal(isTypingTarget(null), false);
});

test('bindings are configurable without losing the defaults', () => {
  const b = mergeBindings({ keys: { j: 'slice-next', k: 'slice-prev' }, drag: { left: 'pan' } });
  assert.equal(resolveKey(key('j', 'KeyJ'), b), 'slice-next');
  assert.equal(resolveKey(key('Home', 'Home'), b), 'slice-first');
  assert.equal(resolveDrag({ button: 0 }, b), 'pan');
  assert.equal(resolveDrag({ button: 2 }, b), 'zoom');
});

test('mouse buttons: left W/L, right zoom, middle or shift+left pan', () => {
  assert.equal(resolveDrag({ button: 0 }), 'window');
  assert.equal(resolveDrag({ button: 0, shiftKey: true }), 'pan');
  assert.equal(resolveDrag({ button: 1 }), 'pan');
  assert.equal(resolveDrag({ button: 2 }), 'zoom');
  assert.equal(resolveDrag({ button: 4 }), null);
});

test('one mouse wheel notch is one slice; trackpad deltas accumulate', () => {
  assert.deepEqual(wheelSteps({ deltaY: 100, deltaMode: 0 }), { steps: 1, carry: 0 });
  assert.deepEqual(wheelSteps({ deltaY: -3, deltaMode: 1 }), { steps: -1, carry: 0 });
  let carry = 0;
  let steps = 0;
  for (let i = 0; i < 12; i++) {
    const r = wheelSteps({ deltaY: 10, deltaMode: 0 }, carry);
    carry = r.carry;
    steps += r.steps;
  }
  assert.equal(steps, 2);
});
