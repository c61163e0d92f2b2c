// The public REST API, and nothing else: JSON in and out, problem JSON turned into ApiError.
import { accessToken, tokenRefused } from './auth.js';

export class ApiError extends Error {
  constructor(problem, status, retryAfter) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/**
 * Calls the API. `auth: false` for public routes (a token there is not needed). A refused token is
 * renewed once and the call repeated; after that the person is signed out (auth.js says so).
 */
export async function api(path, { method = 'GET', body, auth = true, headers = {} } = {}, retried = false) {
  const request = { method, headers: { Accept: 'application/json, application/problem+json', ...headers } };
  if (body !== undefined) {
    request.headers['Content-Type'] = 'application/json';
    request.body = JSON.stringify(body);
  }
  if (auth) {
    const token = await accessToken().catch(() => null);
    if (!token) throw new ApiError({ code: 'unauthorized', status: 401 }, 401);
    request.headers.Authorization = `Bearer ${token}`;
  }
  let response;
  try {
    response = await fetch(path, request);
  } catch {
    throw new ApiError({ code: 'network' }, 0);
  }
  if (response.status === 401 && auth && !retried) {
    const problem = await response.json().catch(() => null);
    if (problem?.code === 'reauthentication_required') throw new ApiError(problem, 401);
    await tokenRefused().catch(() => {
      throw new ApiError({ code: 'unauthorized', status: 401 }, 401);
    });
    return api(path, { method, body, auth, headers }, true);
  }
  if (response.status === 204 || response.status === 304) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(data || { status: response.status }, response.status, response.headers.get('Retry-After'));
  }
  return data;
}
