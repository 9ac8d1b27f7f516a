// The import page's resumable upload and inbox modules: chunk ranges, resume keys, inbox rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { nextRange, uploadKey } from '../../../frontend/coordinator/chunked-upload.js';
import { formatBytes, inboxRows } from '../../../frontend/coordinator/inbox.js';

test("chunks run from the server's offset to the end of the file", () => {
  assert.deepEqual(nextRange(0, 20, 8), [0, 8]);
  assert.deepEqual(nextRange(16, 20, 8), [16, 20]);
  assert.equal(nextRange(20, 20, 8), null);
});

test('a resumed upload is found again by file name, size and date', () => {
  const file = { name: 'site.zip', size: 5, lastModified: 7 };
  assert.equal(uploadKey(file), 'readerstudy-upload:site.zip:5:7');
});

test('the inbox shows each series with its counts', () => {
  const [row] = inboxRows([
    { series_uid: '1.2', instances: 3, bytes: 2048, last_received: '2026-01-02T03:04:05Z', source: 'C-STORE' },
  ]);
  assert.deepEqual(row, {
    series: '1.2',
    instances: '3',
    size: '2.0 KB',
    last: '2026-01-02 03:04:05',
    source: 'C-STORE',
  });
  assert.equal(formatBytes(12), '12 bytes');
});
