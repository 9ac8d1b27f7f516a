// Import page: the inbox's series as they arrive from PACS, refreshed every few seconds.
// A plain ES module (the CSP forbids inline scripts).

import { isOk, send } from '../base/http.js';

export const INBOX_POLL_MS = 3000;

/**
 * The inbox table's rows: one per series waiting, as text.
 * @param {object[]} series  the inbox API's series
 * @returns {{series: string, instances: string, size: string, last: string, source: string}[]}
 */
export function inboxRows(series) {
  return series.map((s) => ({
    series: s.series_uid || '(no series UID)',
    instances: String(s.instances),
    size: formatBytes(s.bytes),
    last: s.last_received ? s.last_received.slice(0, 19).replace('T', ' ') : '',
    source: s.source,
  }));
}

/**
 * A byte count as people read it: "812 bytes", "3.4 MB".
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function render(body, summary, series) {
  body.replaceChildren(
    ...inboxRows(series).map((row) => {
      const tr = document.createElement('tr');
      for (const key of ['series', 'instances', 'size', 'last', 'source']) {
        const td = document.createElement('td');
        td.textContent = row[key];
        tr.append(td);
      }
      return tr;
    }),
  );
  const total = series.reduce((sum, s) => sum + s.instances, 0);
  summary.textContent = series.length ? `${series.length} series, ${total} instances waiting.` : 'The inbox is empty.';
}

const panel = typeof document !== 'undefined' ? document.getElementById('inbox') : null;
if (panel) {
  const body = panel.querySelector('tbody');
  const summary = panel.querySelector('[data-inbox-summary]');
  const poll = async () => {
    // why: offline for a moment or a failed answer: the next poll tries again.
    const answer = await send('GET', panel.dataset.url);
    if (isOk(answer) && Array.isArray(answer.data)) render(body, summary, answer.data);
    setTimeout(poll, INBOX_POLL_MS);
  };
  poll();
}
