// Failures as the people using the app should read them: the API's own `detail`.

const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';

export class ApiError extends Error {
  constructor(status, body = {}) {
    super(body.detail || ApiError.describe(status));
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error_code || null;
    this.field = body.field || null;
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.requestId = body.request_id || null;
    this.retryAfter = null;
  }

  static describe(status) {
    if (status === 0) return UNREACHABLE;
    if (status >= 500) return `The server failed to answer (HTTP ${status}). Try again in a moment.`;
    return `The request failed (HTTP ${status}).`;
  }

  // The message for one form field, from a 422's `errors` list.
  forField(name) {
    const found = this.errors.find((error) => error.field === name);
    return found ? found.message : null;
  }
}

export function unreachable() {
  return new ApiError(0);
}

// The contract's error body when the answer carries one, a plain message otherwise.
export async function errorOf(response) {
  let body = {};
  if ((response.headers.get('Content-Type') || '').includes('json')) {
    try {
      body = await response.json();
    } catch {
      body = {};
    }
  }
  const error = new ApiError(response.status, body);
  const retryAfter = response.headers.get('Retry-After');
  if (retryAfter) {
    error.retryAfter = Number(retryAfter);
    error.message = `${error.message} (try again in ${retryAfter} s)`;
  }
  return error;
}

// A message the app words itself; any other Error is a fault of the app.
export class Notice extends Error {}

export function messageOf(error) {
  if (error instanceof ApiError || error instanceof Notice) return error.message;
  return `Something went wrong in the app: ${error && error.message ? error.message : error}`;
}
