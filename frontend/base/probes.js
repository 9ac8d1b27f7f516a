// Test probes: objects the browser tests and the benchmark read through window globals
// (window.__readerstudyViewer, __readerstudyReading, __roiEditor). A page exposes them only when
// its app root carries data-test-probes, which the server writes only when the
// FRONTEND_TEST_PROBES setting is on (the test settings turn it on), so a reader's page in
// production carries no hooks into its state.

/**
 * Whether the page asks for test probes.
 * @param {HTMLElement|{dataset?: object}|null} root  the page's app root
 * @returns {boolean}
 */
export function probesWanted(root) {
  return root?.dataset?.testProbes !== undefined;
}

/**
 * Put `probe` on the window as `name` when the page asks for test probes.
 * @param {HTMLElement} root  the page's app root
 * @param {string} name  the global's name
 * @param {object} probe
 * @param {object} [win]  the window (default: the root's)
 * @returns {boolean} whether it was exposed
 */
export function exposeProbe(root, name, probe, win = root?.ownerDocument?.defaultView) {
  if (!probesWanted(root) || !win) return false;
  win[name] = probe;
  return true;
}
