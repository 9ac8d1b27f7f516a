// Import page: upload a big zip in resumable chunks (each a short request), then start its
// import. An interrupted upload resumes where the server says it stopped, also after a reload
// (the upload id is kept in localStorage per file name, size and date).

import { csrfToken } from '../base/http.js';

export const RETRY_MS = 2000;

/**
 * localStorage key of a file's upload id: the same file (name, size, date) resumes its upload.
 * @param {File} file
 * @returns {string}
 */
export function uploadKey(file) {
  return `readerstudy-upload:${file.name}:${file.size}:${file.lastModified}`;
}

/**
 * The next chunk to send, [start, stop), or null once the server has every byte.
 * @param {number} offset  bytes the server has
 * @param {number} size  the file's size
 * @param {number} chunkBytes  the server's chunk size
 * @returns {[number, number]|null}
 */
export function nextRange(offset, size, chunkBytes) {
  return offset >= size ? null : [offset, Math.min(size, offset + chunkBytes)];
}

async function call(url, options = {}) {
  const headers = { 'X-CSRFToken': csrfToken(), ...(options.headers || {}) };
  return fetch(url, { credentials: 'same-origin', ...options, headers });
}

async function startOrResume(base, file) {
  const key = uploadKey(file);
  const known = localStorage.getItem(key);
  if (known) {
    const response = await call(`${base}/${known}`);
    if (response.ok) return response.json();
  }
  const response = await call(base, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: file.name, size: file.size }),
  });
  if (!response.ok) throw new Error((await response.json()).detail || 'The upload was refused.');
  const upload = await response.json();
  localStorage.setItem(key, upload.id);
  return upload;
}

/**
 * Upload a file in chunks (resuming an earlier upload of it), then start its import.
 * @param {string} base  the uploads API (…/uploads)
 * @param {File} file
 * @param {File|undefined} manifest  an optional manifest CSV sent with the completion
 * @param {(done: number, total: number) => void} onProgress  bytes sent so far
 * @returns {Promise<object>} the completed upload (its `report_url` is the import's page)
 */
export async function uploadInChunks(base, file, manifest, onProgress) {
  let upload = await startOrResume(base, file);
  let range = nextRange(upload.offset, file.size, upload.chunk_bytes);
  while (range) {
    onProgress(range[0], file.size);
    let response;
    try {
      response = await call(`${base}/${upload.id}?offset=${range[0]}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: file.slice(range[0], range[1]),
      });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      const state = await call(`${base}/${upload.id}`);
      if (state.ok) upload = await state.json();
      range = nextRange(upload.offset, file.size, upload.chunk_bytes);
      continue;
    }
    const body = await response.json();
    if (!response.ok && body.offset === undefined) throw new Error(body.detail);
    upload.offset = body.offset;
    range = nextRange(upload.offset, file.size, upload.chunk_bytes);
  }
  onProgress(file.size, file.size);
  const form = new FormData();
  if (manifest) form.append('manifest', manifest);
  const done = await call(`${base}/${upload.id}/complete`, { method: 'POST', body: form });
  const result = await done.json();
  if (!done.ok) throw new Error(result.detail);
  localStorage.removeItem(uploadKey(file));
  return result;
}

const form = typeof document !== 'undefined' ? document.getElementById('chunked-upload') : null;
if (form) {
  const status = form.querySelector('[data-upload-status]');
  const bar = form.querySelector('progress');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = form.querySelector('input[name=upload]').files[0];
    const manifest = form.querySelector('input[name=manifest]').files[0];
    if (!file) return;
    try {
      const result = await uploadInChunks(form.dataset.url, file, manifest, (done, total) => {
        bar.max = total;
        bar.value = done;
        status.textContent = `${formatMB(done)} of ${formatMB(total)} uploaded`;
      });
      window.location.assign(result.report_url);
    } catch (error) {
      status.textContent = error.message;
    }
  });
}

function formatMB(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
