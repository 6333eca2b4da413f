// The console's only way to the server: the admin API with the session cookie (sent by the
// browser, HttpOnly) and the session's CSRF token on every state change.
let csrf = null;

export class SessionEnded extends Error {}

export function setCsrf(token) {
  csrf = token;
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && !path.startsWith('/console/session')) throw new SessionEnded();
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data?.detail ?? data?.code ?? String(response.status));
    error.status = response.status;
    error.code = data?.code;
    throw error;
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body = {}) => call('POST', path, body);
export const put = (path, body = {}) => call('PUT', path, body);
export const del = (path) => call('DELETE', path);
