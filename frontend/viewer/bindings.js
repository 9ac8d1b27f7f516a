// Input bindings of the viewer, as data so a site can reconfigure them.
// A key descriptor is "[Ctrl+][Alt+][Shift+]Name" where Name is either the event's key (letters
// lower-cased, e.g. "i") or its physical code (e.g. "Digit1", "Space", "ArrowUp"). Presets use the
// code with Shift because Shift+1 gives "!" on one layout and "+" on another.

export const DEFAULT_BINDINGS = Object.freeze({
  keys: {
    ArrowUp: 'slice-prev',
    ArrowDown: 'slice-next',
    PageUp: 'slice-prev-page',
    PageDown: 'slice-next-page',
    Home: 'slice-first',
    End: 'slice-last',
    Space: 'reset',
    i: 'invert',
    m: 'maximize',
    'Shift+Digit1': 'preset-1',
    'Shift+Digit2': 'preset-2',
    'Shift+Digit3': 'preset-3',
    'Shift+Digit4': 'preset-4',
  },
  // Drag gestures by button; "Shift+left" is checked before "left".
  drag: { left: 'window', 'Shift+left': 'pan', middle: 'pan', right: 'zoom' },
  wheel: 'slice', // one notch = one slice; down = next
  dblclick: 'reset',
  wlSpeed: 1, // 1 = a ~400 px drag sweeps the pane's intensity range
  wlInvertY: false, // false: dragging down raises the level (image gets darker)
  zoomSpeed: 1,
  pageStep: 5,
});

/** Merge a partial bindings object over the defaults (keys/drag maps are merged, not replaced). */
export function mergeBindings(custom = {}) {
  return {
    ...DEFAULT_BINDINGS,
    ...custom,
    keys: { ...DEFAULT_BINDINGS.keys, ...(custom.keys || {}) },
    drag: { ...DEFAULT_BINDINGS.drag, ...(custom.drag || {}) },
  };
}

function modifierPrefix(e) {
  return (e.ctrlKey ? 'Ctrl+' : '') + (e.altKey ? 'Alt+' : '') + (e.metaKey ? 'Meta+' : '');
}

/**
 * Descriptors an event can match, most specific first: with Shift, by key then by code.
 * Shift is part of the descriptor only for codes and non-letter keys (Shift+i is still "I").
 */
export function descriptorsFor(e) {
  const mods = modifierPrefix(e);
  const shift = e.shiftKey ? 'Shift+' : '';
  const out = [];
  if (e.key && e.key.length === 1 && /[a-z]/i.test(e.key)) {
    out.push(mods + shift + e.key.toLowerCase());
  } else if (e.key && e.key !== ' ') {
    out.push(mods + shift + e.key);
  }
  if (e.code) out.push(mods + shift + e.code);
  return out;
}

/** Viewer action for a key event, or null. */
export function resolveKey(e, bindings = DEFAULT_BINDINGS) {
  for (const d of descriptorsFor(e)) {
    if (Object.hasOwn(bindings.keys, d)) return bindings.keys[d];
  }
  return null;
}

const BUTTONS = ['left', 'middle', 'right'];

/** Drag gesture for a pointerdown (button 0/1/2 + modifiers), or null. */
export function resolveDrag(e, bindings = DEFAULT_BINDINGS) {
  const name = BUTTONS[e.button];
  if (!name) return null;
  const withShift = `Shift+${name}`;
  if (e.shiftKey && Object.hasOwn(bindings.drag, withShift)) return bindings.drag[withShift];
  return bindings.drag[name] ?? null;
}

/** Slice step for an action, or 0 when it is not a relative slice move. */
export function sliceStep(action, bindings = DEFAULT_BINDINGS) {
  switch (action) {
    case 'slice-next':
      return 1;
    case 'slice-prev':
      return -1;
    case 'slice-next-page':
      return bindings.pageStep;
    case 'slice-prev-page':
      return -bindings.pageStep;
    default:
      return 0;
  }
}

/**
 * Slice steps for a WheelEvent-like object. A mouse notch (>= 50 px, or a line/page) is exactly one
 * slice; trackpads send many small deltas, which accumulate in `carry` until they make a step.
 */
export function wheelSteps(e, carry = 0) {
  const px = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
  if (Math.abs(px) >= 50) return { steps: Math.sign(px), carry: 0 };
  const total = carry + px;
  if (Math.abs(total) >= 50) return { steps: Math.sign(total), carry: total - Math.sign(total) * 50 };
  return { steps: 0, carry: total };
}
