// The console's only way to the server: the admin API with the session cookie (sent by the
// browser, HttpOnly) and the session's CSRF token on every state change.
let csrf = null;

export class SessionEnded extends Error {}

export function setCsrf(token) {
  csrf = token;
}

async function call(method, path, body, extra = {}) {
  const headers = { accept: 'application/json', ...extra };
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const payload = body === undefined || form ? body : JSON.stringify(body);
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: payload });
  if (response.status === 401 && !path.startsWith('/console/session')) throw new SessionEnded();
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  if (!response.ok) {
    // A domain VALIDATION names its field and problem in `details`: more useful than the generic sentence.
    const field = data?.details?.field;
    const error = new Error(field && data.details.problem ? `${field}: ${data.details.problem}` : (data?.detail ?? data?.code ?? String(response.status)));
    error.status = response.status;
    error.code = data?.code;
    error.details = data?.details;
    error.errors = data?.errors;
    throw error;
  }
  return data;
}

export const get = (path) => call('GET', path);
/** `headers`: e.g. If-Match with the version a change was made from (a 409 CONCURRENT_CHANGE when it moved on). */
export const post = (path, body = {}, headers = {}) => call('POST', path, body, headers);
export const put = (path, body = {}) => call('PUT', path, body);
export const patch = (path, body) => call('PATCH', path, body);
export const del = (path) => call('DELETE', path);

/** Uploads one file to POST /api/v1/media (multipart, field `file`): the stored file's { id, kind, mime, … }. */
export function upload(file) {
  const form = new FormData();
  form.append('file', file);
  return call('POST', '/api/v1/media', form);
}
