// JSON calls to the reading API with the session cookie and the CSRF header (contract: "All JSON").
// Never throws for HTTP errors: callers get {status, data}; status 0 means the network failed.

/** CSRF token from the `csrftoken` cookie, else from the page (when the cookie is HttpOnly). */
export function csrfToken(doc = globalThis.document) {
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(doc?.cookie || '');
  if (m) return decodeURIComponent(m[1]);
  const meta = doc?.querySelector?.('meta[name="csrf-token"], input[name="csrfmiddlewaretoken"]');
  return meta ? meta.getAttribute('content') || meta.value || '' : '';
}

export async function send(method, url, body, { keepalive = false } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, credentials: 'same-origin', headers, keepalive };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRFToken'] = csrfToken();
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url, init);
  } catch {
    return { status: 0, data: {} };
  }
  let data = {};
  try {
    data = await resp.json();
  } catch {
    // why: a proxy error page is HTML; keep the status, invent no detail.
  }
  return { status: resp.status, data: data && typeof data === 'object' ? data : {} };
}

/**
 * Base URL of the pane pixel endpoint, derived from the assignment URL so the page keeps working
 * when the API is mounted under a prefix: "/x/api/reading/s/assignments/3/" -> "/x/api/reading/panes/".
 */
export function panesBase(assignmentUrl) {
  const m = /^(.*\/reading\/)[^/]+\/assignments\/\d+\/?$/.exec(assignmentUrl || '');
  return m ? `${m[1]}panes/` : '/api/reading/panes/';
}
