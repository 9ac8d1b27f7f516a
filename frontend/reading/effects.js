// The reading page's effects on the outside world, in one place: fetching an assignment detail,
// fetching a pane's pixels, saving a draft, submitting, and opening another page. The controller
// (controller.js) only calls these, so tests, a prefetch of the next case or a worker can put
// their own in their place.

import { makeFetchRange } from '../viewer/stack.js';

/**
 * Base URL of the pane pixel endpoint, derived from the assignment URL so the page keeps working
 * when the API is mounted under a prefix: "/x/api/reading/s/assignments/3/" -> "/x/api/reading/panes/".
 * @param {string} assignmentUrl
 * @returns {string}
 */
export function panesBase(assignmentUrl) {
  const m = /^(.*\/reading\/)[^/]+\/assignments\/\d+\/?$/.exec(assignmentUrl || '');
  return m ? `${m[1]}panes/` : '/api/reading/panes/';
}

/**
 * The effects of a reading page in the browser (contract: docs/reading-api.md).
 * @param {object} o
 * @param {string} o.assignmentUrl  the page's assignment (the pixel endpoint is found next to it)
 * @param {(method: string, url: string, body?: object, opts?: object) => Promise<{status: number, data: object}>} o.send
 *   the JSON request (base/http.js)
 * @param {(url: string) => void} o.navigate  location.assign
 * @param {(token: string, base: string) => Function} [o.pixelFetcher]  viewer/stack.js makeFetchRange
 * @returns {import('./controller.js').ReadingEffects}
 */
export function readingEffects({ assignmentUrl, send, navigate, pixelFetcher = makeFetchRange }) {
  const base = panesBase(assignmentUrl);
  return {
    fetchDetail: (url) => send('GET', url),
    fetchPixels: (token) => pixelFetcher(token, base),
    saveDraft: (url, body, opts) => send('PUT', url, body, opts),
    submit: (url, body) => send('POST', url, body),
    navigate,
  };
}
