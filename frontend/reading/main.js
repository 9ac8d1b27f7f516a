// Reading page entry point (loaded as /static/reading/main.js by the reading template).
// Boots from the #reading-app dataset (contract "Reading page"), fetches the assignment, builds
// the viewer and the scoring panel, and hands every event to the controller (controller.js),
// which holds the page's rules. This file is only the DOM wiring.

import { send } from '../base/http.js';
import { exposeProbe } from '../base/probes.js';
import { createViewer } from '../viewer/viewer.js';
import { createReadingController } from './controller.js';
import { readingEffects } from './effects.js';
import { dispatchKey, isTypingTarget } from './keys.js';
import { createPanel } from './panel.js';

async function boot() {
  const root = document.getElementById('reading-app');
  if (!root) return;
  root.classList.add('rs-app');
  const assignmentUrl = root.dataset.assignmentUrl;
  const effects = readingEffects({ assignmentUrl, send, navigate: (url) => window.location.assign(url) });
  const notice = showNotice(root, 'Loading…');
  const res = await effects.fetchDetail(assignmentUrl);
  if (res.status !== 200) {
    notice.textContent =
      res.status === 0
        ? 'Cannot reach the server. Check the connection, then reload this page.'
        : res.data.detail || `This case could not be opened (error ${res.status}).`;
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'rs-submit';
    again.textContent = 'Try again';
    again.addEventListener('click', () => window.location.reload());
    notice.append(document.createElement('br'), again);
    return;
  }
  notice.remove();
  mount(root, res.data, effects);
}

function showNotice(root, text) {
  const n = document.createElement('div');
  n.className = 'rs-notice';
  n.textContent = text;
  root.append(n);
  return n;
}

function mount(root, detail, effects) {
  const ds = root.dataset;
  let panel = null;
  const controller = createReadingController({
    detail,
    assignmentUrl: ds.assignmentUrl,
    worklistUrl: ds.worklistUrl,
    reader: ds.reader,
    effects,
    storage: safeStorage(),
    clock: () => performance.now(),
    now: () => Date.now(),
    visible: !document.hidden,
    focused: document.hasFocus(),
    onChange: (view) => panel?.render(view), // cheap: the panel only touches what changed
  });
  const { paneNames } = controller;

  const viewerHost = document.createElement('section');
  viewerHost.setAttribute('aria-label', 'Images');
  viewerHost.className = 'rs-viewer-host';
  const aside = document.createElement('aside');
  root.append(viewerHost, aside);
  root.dataset.design = detail.study?.design || (paneNames.length > 1 ? 'side_by_side' : 'sequential');
  const viewer = createViewer(viewerHost, { panes: detail.panes, fetchRangeFor: effects.fetchPixels });

  panel = createPanel(aside, {
    detail,
    paneNames,
    on: {
      score: controller.score,
      focus: controller.focusCell,
      preference: controller.setPreference,
      comment: controller.setComment,
      submit: () => controller.submit(),
    },
  });

  document.addEventListener('keydown', (e) => {
    controller.interact();
    const d = dispatchKey(e);
    if (!d) return;
    if (d.owner === 'viewer') {
      if (viewer.handleKey(e)) e.preventDefault();
      return;
    }
    e.preventDefault();
    if (d.action === 'blur') document.activeElement?.blur();
    else controller.key(d.action, { repeat: e.repeat });
  });
  document.addEventListener(
    'pointerdown',
    (e) => {
      controller.interact();
      // why: clicking the images after typing a comment must bring the shortcuts back at once.
      const typing = document.activeElement;
      if (isTypingTarget(typing) && !typing.contains(e.target)) typing.blur();
    },
    { passive: true },
  );
  document.addEventListener('wheel', () => controller.interact(), { passive: true });
  document.addEventListener('pointermove', () => controller.pointerMove(), { passive: true });
  window.addEventListener('focus', () => controller.setFocused(true));
  window.addEventListener('blur', () => controller.setFocused(false));
  document.addEventListener('visibilitychange', () => controller.setVisible(!document.hidden));
  window.addEventListener('pagehide', () => controller.pageHide());
  window.addEventListener('online', () => controller.online());

  controller.start();
  exposeProbe(root, '__readerstudyViewer', viewer);
  exposeProbe(root, '__readerstudyReading', { state: controller.snapshot });
}

/** localStorage, or an in-memory stand-in when the browser blocks it (private modes). */
function safeStorage() {
  try {
    const s = window.localStorage;
    s.setItem('readerstudy:probe', '1');
    s.removeItem('readerstudy:probe');
    return s;
  } catch {
    const map = new Map();
    return {
      get length() {
        return map.size;
      },
      key: (i) => [...map.keys()][i] ?? null,
      getItem: (k) => (map.has(k) ? map.get(k) : null),
      setItem: (k, v) => map.set(k, String(v)),
      removeItem: (k) => map.delete(k),
    };
  }
}

boot();
