/**
 * The one place that talks HTTP to the jupyter_secrets server extension.
 */
import { ServerConnection } from '@jupyterlab/services';

import { identityTrans, ITrans } from './format';

/** Where the REST API lives, relative to the server's base URL. */
export const API_NAMESPACE = 'api/secrets';

/**
 * An error reply of the server (`{"message", "field"?, "reason"?, "owner"?}` with a 4xx/5xx
 * status), or a network failure (`status` 0). `message` is meant to be shown to the user as
 * is; `reason` is a machine-readable code (`not-owner` for a guest's 403), `owner` the name of
 * the server's owner that comes with it.
 */
export class SecretsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null = null,
    readonly reason: string | null = null,
    readonly owner: string | null = null
  ) {
    super(message);
    this.name = 'SecretsApiError';
  }
}

/** Query parameters; `undefined`/`null` values are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * The URL of an API end point: `baseUrl` + `api/secrets/` + `endPoint` (+ `?query`).
 *
 * `endPoint` is used as given: build it with `apiPath` so that ids are encoded.
 */
export function apiUrl(baseUrl: string, endPoint = '', query?: Query): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const tail = endPoint.replace(/^\/+/, '');
  let url = tail ? `${base}${API_NAMESPACE}/${tail}` : `${base}${API_NAMESPACE}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) {
        params.append(key, String(value));
      }
    }
    const text = params.toString();
    if (text) {
      url += `?${text}`;
    }
  }
  return url;
}

/** Join path segments, each URL-encoded: `apiPath('projects', pid, 'slots')`. */
export function apiPath(...segments: string[]): string {
  return segments.map(s => encodeURIComponent(s)).join('/');
}

/** A readable message for a status without a JSON error body. */
export function statusMessage(
  status: number,
  statusText = '',
  trans: ITrans = identityTrans
): string {
  switch (status) {
    case 0:
      return trans.__('Cannot reach the Jupyter server.');
    case 401:
    case 403:
      return trans.__('You are not allowed to do this (are you still logged in?).');
    case 404:
      return trans.__('Not found: the jupyter_secrets server extension may not be enabled.');
    case 413:
      return trans.__('The value is too large.');
    case 503:
      return trans.__('The secrets store is locked or cannot be written.');
    default:
      return statusText
        ? trans.__('The server answered %1 %2.', status, statusText)
        : trans.__('The server answered %1.', status);
  }
}

/**
 * Map a server reply body (parsed JSON, or text, or nothing) to a `SecretsApiError`.
 */
export function errorFromBody(
  status: number,
  body: unknown,
  statusText = '',
  trans: ITrans = identityTrans
): SecretsApiError {
  if (body && typeof body === 'object') {
    const b = body as {
      message?: unknown;
      reason?: unknown;
      field?: unknown;
      owner?: unknown;
    };
    const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
    const reason = text(b.reason);
    const message = text(b.message) ?? reason ?? statusMessage(status, statusText, trans);
    return new SecretsApiError(status, message, text(b.field), reason, text(b.owner));
  }
  return new SecretsApiError(status, statusMessage(status, statusText, trans));
}

/** Parse a reply body: JSON when it is JSON, `null` when empty, the text otherwise. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Call the secrets REST API.
 *
 * @param endPoint path under `api/secrets/` (build it with `apiPath`)
 * @param init fetch options; a JSON body is sent as is (stringify it first)
 * @param query query parameters
 * @param settings server connection settings (defaults to the page's)
 * @param trans translates the messages of errors without a server message
 * @returns the parsed JSON reply (`undefined` for 204)
 * @throws SecretsApiError with the server's `message` and `field`
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  query?: Query,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  trans: ITrans = identityTrans
): Promise<T> {
  const url = apiUrl(settings.baseUrl, endPoint, query);
  const headers = new Headers(init.headers ?? {});
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, { ...init, headers }, settings);
  } catch {
    throw new SecretsApiError(0, statusMessage(0, '', trans));
  }
  const body = await readBody(response);
  if (!response.ok) {
    throw errorFromBody(response.status, body, response.statusText, trans);
  }
  return (response.status === 204 ? undefined : body) as T;
}
