// The draft queue: every change is written to localStorage first, then PUT to the server after a
// short debounce; failures back off and retry; a 409 stops it. Network, storage and timers are
// injected so the whole queue runs in node tests.

import { classify, endpoint, parseLocalKey, reconcile, recordUrl, retryDelay, shouldFlushOnHide } from './draft.js';

/** The autosave queue of one assignment. */
export class Autosaver {
  /**
   * @param {object} o
   * @param {string} o.assignmentUrl      assignment detail URL (draft URL is derived from it)
   * @param {string} o.storageKey         localStorage key (reader + study + read order)
   * @param {Storage} o.storage
   * @param {(url, body, opts) => Promise<{status:number, data:object}>} o.saveDraft  PUT a draft
   * @param {() => number} o.now
   * @param {() => number} o.activeSeconds running total for this assignment
   * @param {object} o.content            {scores, comment, preference} as loaded
   * @param {number} o.revision           revision as loaded
   * @param {(s:{kind:string, detail?:string}) => void} [o.onStatus]
   * @param {number} [o.debounceMs]
   * @param {object} [o.timers]           {set(fn, ms), clear(id)}
   */
  constructor(o) {
    this.assignmentUrl = o.assignmentUrl;
    this.url = endpoint(o.assignmentUrl, 'draft');
    this.storageKey = o.storageKey;
    this.storage = o.storage;
    this.saveDraft = o.saveDraft;
    this.now = o.now;
    this.activeSeconds = o.activeSeconds;
    this.content = o.content;
    this.revision = o.revision ?? 0;
    this.onStatus = o.onStatus ?? (() => {});
    this.debounceMs = o.debounceMs ?? 400;
    this.timers = o.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
    this.seq = 0; // number of changes made
    this.savedSeq = 0; // changes the server has acknowledged
    this.sentActiveSeconds = 0;
    this.inflight = null;
    this.again = false;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.status = { kind: 'saved' };
  }

  get unsent() {
    return this.seq !== this.savedSeq;
  }

  setStatus(kind, detail) {
    this.status = { kind, detail };
    this.onStatus(this.status);
  }

  /** Record a change: localStorage at once, the server after the debounce. */
  change(content) {
    if (this.stopped) return;
    this.content = content;
    this.seq++;
    this.writeLocal();
    if (this.status.kind === 'saved' || this.status.kind === 'saving') this.setStatus('pending');
    this.schedule(this.debounceMs);
  }

  writeLocal() {
    const record = {
      v: 1,
      assignmentUrl: this.assignmentUrl,
      content: this.content,
      baseRevision: this.revision,
      changedAt: this.now(),
      activeSeconds: this.activeSeconds(),
    };
    try {
      this.storage.setItem(this.storageKey, JSON.stringify(record));
    } catch {
      // why: a full or disabled localStorage must not stop the server save.
    }
  }

  clearLocal() {
    try {
      this.storage.removeItem(this.storageKey);
    } catch {
      /* ignore: nothing to clean */
    }
  }

  schedule(ms) {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.flush();
    }, ms);
  }

  /** Save now (if anything is unsent). Resolves when the queue is idle again. */
  flush() {
    if (this.stopped) return Promise.resolve();
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    if (this.inflight) {
      this.again = true;
      return this.inflight;
    }
    if (!this.unsent) return Promise.resolve();
    return this.save(false);
  }

  body() {
    return { ...this.content, active_seconds: this.activeSeconds(), revision: this.revision };
  }

  save(keepalive) {
    const seq = this.seq;
    const body = this.body();
    this.setStatus('saving');
    // why: called now, not in a microtask: a keepalive save on pagehide must leave before unload.
    this.inflight = this.saveDraft(this.url, body, { keepalive })
      .catch(() => ({ status: 0, data: {} }))
      .then((res) => this.handle(res, seq, body));
    return this.inflight;
  }

  handle(res, seq, body) {
    this.inflight = null;
    const data = res.data || {};
    const kind = classify(res.status);
    if (kind === 'ok') {
      if (Number.isFinite(data.revision)) this.revision = data.revision;
      this.savedSeq = Math.max(this.savedSeq, seq);
      this.sentActiveSeconds = body.active_seconds;
      this.attempt = 0;
      if (this.unsent)
        this.writeLocal(); // newer changes arrived meanwhile: keep them, new base
      else this.clearLocal();
      this.setStatus(this.unsent ? 'pending' : 'saved');
    } else if (kind === 'retry' || kind === 'auth') {
      this.attempt++;
      this.setStatus(kind === 'auth' ? 'auth' : 'offline');
      this.schedule(retryDelay(this.attempt));
      return;
    } else if (kind === 'conflict' || kind === 'gone') {
      this.stop();
      this.setStatus(kind, data.detail);
      return;
    } else {
      this.setStatus('invalid', data.detail);
      return; // why: retrying the same body would fail again; the next change tries anew
    }
    // why: a debounce that fired during the request asked for another save; honour it now.
    if (this.again) {
      this.again = false;
      if (this.unsent) return this.save(false);
    }
  }

  /** Connection is back (or the page regained focus): retry at once instead of waiting. */
  retryNow() {
    if (this.stopped || !this.unsent || this.inflight) return Promise.resolve();
    return this.flush();
  }

  /** Page is being hidden or closed: send what matters with keepalive so it survives unload. */
  flushOnHide(hasContent) {
    const decide = shouldFlushOnHide({
      unsent: this.unsent,
      hasContent,
      activeSeconds: this.activeSeconds(),
      sentActiveSeconds: this.sentActiveSeconds,
      stopped: this.stopped,
    });
    if (!decide) return false;
    if (this.unsent) this.writeLocal(); // fresh active time in the local copy too
    this.inflight = null; // why: an ordinary in-flight request may die with the page; send anew
    this.save(true);
    return true;
  }

  /** Wait for an in-flight save (submit must not race a late draft PUT). */
  async idle() {
    while (this.inflight) await this.inflight;
  }

  stop() {
    this.stopped = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  /** Adopt a locally kept draft found at load time and push it. */
  adopt(local) {
    this.content = local.content;
    this.seq++;
    this.writeLocal();
    return this.flush();
  }
}

/**
 * Push drafts of OTHER assignments this reader left unsent in this browser (tab closed while
 * offline). Each is reconciled against its assignment detail first.
 * @param {object} o
 * @param {Storage} o.storage
 * @param {string} o.reader  the reader's opaque key (other readers' drafts on this browser stay)
 * @param {string|null} o.skipKey  the storage key of the assignment on screen
 * @param {(url: string) => Promise<{status:number, data:object}>} o.fetchDetail  GET a detail
 * @param {(url: string, body: object) => Promise<{status:number, data:object}>} o.saveDraft  PUT a draft
 * @returns {Promise<number[]>} the read orders pushed
 */
export async function pushOrphanDrafts({ storage, reader, skipKey, fetchDetail, saveDraft }) {
  const pushed = [];
  const keys = [];
  for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
  for (const key of keys) {
    const parsed = parseLocalKey(key);
    if (!parsed || parsed.reader !== reader || key === skipKey) continue;
    let local;
    try {
      local = JSON.parse(storage.getItem(key));
    } catch {
      continue;
    }
    const url = recordUrl(local);
    if (!url) continue;
    const detail = await fetchDetail(url).catch(() => ({ status: 0 }));
    if (detail.status !== 200) continue; // offline or gone: keep it for a later page load
    const server = { ...detail.data.assignment, scores: detail.data.scores };
    const decision = reconcile(server, local);
    if (decision.action === 'discard') storage.removeItem(key);
    if (decision.action !== 'push') continue;
    const body = { ...local.content, active_seconds: local.activeSeconds ?? 0, revision: server.revision ?? 0 };
    const res = await saveDraft(endpoint(url, 'draft'), body).catch(() => ({ status: 0 }));
    if (classify(res.status) === 'ok' || classify(res.status) === 'conflict') {
      storage.removeItem(key);
      if (classify(res.status) === 'ok') pushed.push(parsed.readOrder);
    }
  }
  return pushed;
}
