// The coordinator's live progress dashboard: polls the progress API and redraws without reloading.
import { isOk, send } from '../base/http.js';
import { drawCompletionChart } from './chart.js';

const root = typeof document !== 'undefined' ? document.getElementById('dashboard') : null;

/**
 * Reading time as the dashboard shows it: "42 s", "7 min 5 s", "2 h 5 min"; "—" when unknown.
 * @param {number|null|undefined} seconds
 * @returns {string}
 */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function readerTable(site) {
  const head = el(
    'tr',
    {},
    ...['Reader', 'Done / total', 'Median time', 'Total time', 'Last activity', 'Drafts open', ''].map((h) =>
      el('th', {}, h),
    ),
  );
  const body = el('tbody');
  for (const r of site.readers) {
    const percent = r.total ? Math.round((100 * r.done) / r.total) : 0;
    const fill = el('span');
    fill.style.width = `${percent}%`; // CSSOM, not a style attribute: the CSP forbids inline styles
    const bar = el('div', { class: 'bar', title: `${percent}%` }, fill);
    body.append(
      el(
        'tr',
        { class: r.active ? '' : 'inactive', 'data-user': r.username },
        el('td', {}, r.username, r.active ? '' : ' (deactivated)'),
        el('td', { class: 'done' }, el('span', { class: 'count' }, `${r.done} / ${r.total}`), bar),
        el('td', {}, formatSeconds(r.median_seconds)),
        el('td', {}, formatSeconds(r.total_seconds)),
        el('td', {}, r.last_activity ? new Date(r.last_activity).toLocaleString() : '—'),
        el('td', { class: 'drafts' }, r.drafts),
        el('td', {}, el('a', { href: r.tasks_url }, 'Tasks')),
      ),
    );
  }
  return el(
    'div',
    { class: 'site-block' },
    el('h3', {}, site.site || 'No site'),
    el('table', { class: 'compact readers' }, el('thead', {}, head), body),
  );
}

function caseGrid(cases) {
  const frag = document.createDocumentFragment();
  for (const c of cases) {
    const state = c.readers_done === c.readers_total ? 'all' : c.readers_done ? 'some' : 'none';
    frag.append(
      el(
        'div',
        {
          class: `case-cell ${state}`,
          title: `${c.case} (${c.site}): ${c.readers_done} of ${c.readers_total} readers done`,
          'data-case': c.case,
        },
        el('span', {}, c.case),
        el('small', {}, `${c.readers_done}/${c.readers_total}`),
      ),
    );
  }
  if (!cases.length) frag.append(el('p', { class: 'muted' }, 'No tasks yet: open the study first.'));
  return frag;
}

function render(data) {
  const t = data.totals;
  document.getElementById('totals').textContent =
    `${t.done} of ${t.total} tasks done · ${t.drafts} draft${t.drafts === 1 ? '' : 's'} open · ${t.readers} active reader${t.readers === 1 ? '' : 's'}`;
  document.getElementById('totals').dataset.done = String(t.done);
  document.getElementById('updated').textContent = new Date(data.generated_at).toLocaleTimeString();
  const status = document.getElementById('study-status');
  if (status) status.textContent = data.study.status.charAt(0).toUpperCase() + data.study.status.slice(1);
  document.getElementById('readers-by-site').replaceChildren(...data.sites.map(readerTable));
  document.getElementById('cases').replaceChildren(caseGrid(data.cases));
  drawCompletionChart(document.getElementById('completion-chart'), data.timeline, t.total);
}

async function poll() {
  const answer = await send('GET', root.dataset.url);
  try {
    if (!isOk(answer)) throw new Error(answer.status ? `HTTP ${answer.status}` : 'no connection');
    render(answer.data);
    root.classList.remove('stale');
  } catch (error) {
    root.classList.add('stale');
    document.getElementById('updated').textContent = `not updated (${error.message}); retrying`;
  }
}

if (root) {
  poll();
  const interval = Number(root.dataset.interval) || 5000;
  setInterval(() => {
    if (!document.hidden) poll();
  }, interval);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });
}
