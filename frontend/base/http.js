// JSON calls to the site's APIs with the session cookie and the CSRF header (reading API contract:
// "All JSON"), shared by the reading page and the coordinator's pages.
// Never throws for HTTP errors: callers get {status, data}; status 0 means the network failed.

/**
 * The CSRF token: from the `csrftoken` cookie, else from the page (when the cookie is HttpOnly).
 * @param {Document|{cookie?: string, querySelector?: Function}} [doc]
 * @returns {string} the token, or '' when the page has none
 */
export function csrfToken(doc = globalThis.document) {
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(doc?.cookie || '');
  if (m) return decodeURIComponent(m[1]);
  const meta = doc?.querySelector?.('meta[name="csrf-token"], input[name="csrfmiddlewaretoken"]');
  return meta ? meta.getAttribute('content') || meta.value || '' : '';
}

/**
 * One JSON request. A body (any JSON value) is sent with the CSRF header; the answer's JSON object
 * is returned as `data` ({} when the answer is not JSON, e.g. a proxy's error page).
 * @param {string} method  'GET', 'PUT', 'POST', 'DELETE'
 * @param {string} url
 * @param {*} [body]  omitted for GET
 * @param {object} [opts]
 * @param {boolean} [opts.keepalive]  let the request outlive the page (saving on unload)
 * @param {typeof fetch} [opts.fetch]  the fetch to use (tests)
 * @param {Document} [opts.doc]  where the CSRF token is read (tests)
 * @returns {Promise<{status: number, data: object}>}  status 0 when the network failed
 */
export async function send(method, url, body, { keepalive = false, fetch = globalThis.fetch, doc } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, credentials: 'same-origin', headers, keepalive };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRFToken'] = csrfToken(doc);
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
 * Whether a `send` answer succeeded (2xx).
 * @param {{status: number}} answer
 * @returns {boolean}
 */
export function isOk(answer) {
  return answer.status >= 200 && answer.status < 300;
}
