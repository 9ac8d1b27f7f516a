// Every function and class a front-end module exports carries a JSDoc comment (/** … */) right
// above it, so a module's interface reads without opening its body.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const FRONTEND = new URL('../../frontend/', import.meta.url).pathname;
const EXPORT = /^export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|class)\s+([A-Za-z_$][\w$]*)/;

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

/** Exported functions and classes of `source` with no JSDoc block right above them. */
function undocumented(source) {
  const lines = source.split('\n');
  const missing = [];
  lines.forEach((line, i) => {
    const m = EXPORT.exec(line);
    if (!m) return;
    let j = i - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    const above = lines[j]?.trim() ?? '';
    let opening = j;
    while (opening >= 0 && !lines[opening].includes('/*')) opening--;
    const isJsdoc = above.endsWith('*/') && opening >= 0 && lines[opening].trim().startsWith('/**');
    if (!isJsdoc) missing.push(`${m[1]} (line ${i + 1})`);
  });
  return missing;
}

test('the check itself tells a JSDoc block from a plain comment', () => {
  const source = [
    '/** Documented. */',
    'export function a() {}',
    '// a plain comment',
    'export function b() {}',
    '/**',
    ' * Documented over lines.',
    ' */',
    'export class C {}',
    'export async function d() {}',
  ].join('\n');
  assert.deepEqual(undocumented(source), ['b (line 4)', 'd (line 9)']);
});

test('every exported function and class in frontend/ has JSDoc', () => {
  const found = modules(FRONTEND).flatMap((path) =>
    undocumented(readFileSync(path, 'utf8')).map((name) => `${relative(FRONTEND, path)}: ${name}`),
  );
  assert.deepEqual(found, []);
});
