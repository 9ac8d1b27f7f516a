// Decisions of the draft queue, kept pure for node tests: what a locally kept draft looks like,
// whether it must be pushed when an assignment opens (reconcile), how a server answer is classified,
// how long to back off, and what the status line says.

export const STORAGE_PREFIX = 'readerstudy:draft:v1:';

/** localStorage key: one entry per reader + study + read order. */
export function localKey(reader, study, readOrder) {
  return `${STORAGE_PREFIX}${reader}:${study}:${readOrder}`;
}

/** Parse "…:<reader>:<study>:<readOrder>" back; null for foreign keys. */
export function parseLocalKey(key) {
  if (!key?.startsWith(STORAGE_PREFIX)) return null;
  const parts = key.slice(STORAGE_PREFIX.length).split(':');
  if (parts.length !== 3) return null;
  return { reader: parts[0], study: parts[1], readOrder: Number(parts[2]) };
}

/** The editable content of an assignment: what the API's draft body carries besides time and revision. */
export function contentOf({ scores, comment = '', preference = null }) {
  return { scores, comment, preference };
}

function canonical(content) {
  const scores = {};
  for (const pane of Object.keys(content.scores || {}).sort()) {
    const s = content.scores[pane] || {};
    scores[pane] = Object.fromEntries(
      Object.keys(s)
        .sort()
        .map((k) => [k, s[k]]),
    );
  }
  return JSON.stringify([scores, content.comment || '', content.preference ?? null]);
}

/**
 * Whether two answers are the same (order of panes and criteria aside).
 * @param {{scores: object, comment?: string, preference?: string|null}} a
 * @param {{scores: object, comment?: string, preference?: string|null}} b
 * @returns {boolean}
 */
export function sameContent(a, b) {
  return canonical(a) === canonical(b);
}

/**
 * What to do with a draft found in localStorage when the assignment opens.
 * @param {object} server  the assignment detail's `assignment` plus `scores`
 * @param {object|null} local  stored {content, baseRevision, changedAt, activeSeconds}
 * @returns {{action: 'none'|'push'|'discard', reason: string}}
 */
export function reconcile(server, local) {
  if (!local?.content) return { action: 'none', reason: 'nothing kept locally' };
  if (server.editable === false) return { action: 'discard', reason: 'the assignment is locked' };
  const serverContent = contentOf({ scores: server.scores, comment: server.comment, preference: server.preference });
  if (sameContent(serverContent, local.content)) {
    return { action: 'discard', reason: 'the server already has these scores' };
  }
  // The contract has no draft timestamp in the assignment detail; use one if the server ever sends it.
  const serverTime = Date.parse(server.saved_at || server.updated_at || '');
  if (Number.isFinite(serverTime) && Number.isFinite(local.changedAt) && serverTime > local.changedAt) {
    return { action: 'discard', reason: 'the server copy is newer' };
  }
  if ((server.revision ?? 0) <= (local.baseRevision ?? 0)) {
    return { action: 'push', reason: 'unsent local changes are newer than the server copy' };
  }
  // why: the server moved on (another window saved) and we cannot tell which is newer. Pushing
  // loses nothing — the server keeps every revision in its audit trail — whereas discarding would
  // drop the reader's unsent scores for good.
  return { action: 'push', reason: 'unsent local changes; the server keeps the older revision in its audit trail' };
}

/** How to treat an HTTP answer (status 0 = network failure). */
export function classify(status) {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'gone';
  return 'retry'; // 0, 408, 429, 5xx
}

/** Back-off before retry number `attempt` (1-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function retryDelay(attempt) {
  return Math.min(30000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Status line text for the autosave state. */
export function statusText(s) {
  switch (s.kind) {
    case 'saved':
      return 'Saved';
    case 'saving':
      return 'Saving…';
    case 'pending':
      return 'Unsaved changes…';
    case 'offline':
      return 'Offline — kept in this browser, will retry';
    case 'auth':
      return 'Signed out — kept in this browser; sign in again in another tab and it will be sent';
    case 'invalid':
      return `Not saved: ${s.detail || 'the server refused these scores'}`;
    case 'conflict':
      return s.detail || 'This case is already submitted; changes are no longer saved.';
    case 'gone':
      return 'This case is no longer available; your scores are kept in this browser.';
    case 'submitted':
      return 'Submitted';
    default:
      return '';
  }
}

/**
 * Whether leaving the page must send a keepalive save: always when changes are unsent; also for
 * accumulated reading time, but only once there is content (an untouched assignment stays "pending").
 */
export function shouldFlushOnHide({ unsent, hasContent, activeSeconds, sentActiveSeconds, stopped }) {
  if (stopped) return false;
  if (unsent) return true;
  return hasContent && activeSeconds - sentActiveSeconds >= 5;
}

/** Draft/submit URL next to an assignment URL (contract: …/assignments/<read_order>/draft, …/submit). */
export function endpoint(assignmentUrl, name) {
  return `${assignmentUrl.replace(/\/+$/, '')}/${name}`;
}

/**
 * The assignment URL a locally kept draft belongs to. Records written before the reading API
 * spoke of assignments carry `taskUrl` with a `/tasks/<n>/` path; they map onto the same
 * assignment, so a draft left unsent across that change still reaches the server.
 */
export function recordUrl(record) {
  if (record?.assignmentUrl) return record.assignmentUrl;
  if (!record?.taskUrl) return null;
  return record.taskUrl.replace(/\/tasks\/(\d+)\/?$/, '/assignments/$1/');
}
