// Completions over time as an inline SVG line: pure functions, no DOM globals, so node can test them.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Map timeline points [{at, done}] into a step path inside width × height (with padding). */
export function completionPath(points, width, height, pad = 24) {
  if (!points.length) return '';
  const times = points.map((p) => Date.parse(p.at));
  const t0 = times[0];
  const t1 = Math.max(times[times.length - 1], t0 + 1);
  const top = Math.max(points[points.length - 1].done, 1);
  const x = (t) => pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad);
  const y = (n) => height - pad - (n / top) * (height - 2 * pad);
  let path = `M ${x(t0).toFixed(1)} ${y(0).toFixed(1)}`;
  points.forEach((p, i) => {
    const px = x(times[i]).toFixed(1);
    path += ` H ${px} V ${y(p.done).toFixed(1)}`;
  });
  return path;
}

/** Redraw the chart in an <svg> element (viewBox gives its size). */
export function drawCompletionChart(svg, points, total) {
  const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const add = (name, attrs, text) => {
    const el = svg.ownerDocument.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    svg.appendChild(el);
    return el;
  };
  add('line', { x1: 24, y1: height - 24, x2: width - 24, y2: height - 24, class: 'axis' });
  add('line', { x1: 24, y1: 24, x2: 24, y2: height - 24, class: 'axis' });
  if (!points.length) {
    add('text', { x: width / 2, y: height / 2, class: 'empty', 'text-anchor': 'middle' }, 'No submitted tasks yet');
    return;
  }
  add('path', { d: completionPath(points, width, height), class: 'line' });
  const last = points[points.length - 1];
  add('text', { x: width - 24, y: 16, 'text-anchor': 'end', class: 'label' }, `${last.done} of ${total} tasks`);
  add('text', { x: 24, y: height - 6, class: 'label' }, new Date(points[0].at).toLocaleString());
  add(
    'text',
    { x: width - 24, y: height - 6, 'text-anchor': 'end', class: 'label' },
    new Date(last.at).toLocaleString(),
  );
}
