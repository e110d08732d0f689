/**
 * URL building and error mapping of the HTTP layer, with `ServerConnection` mocked.
 */
const makeRequest = jest.fn();

jest.mock('@jupyterlab/services', () => ({
  ServerConnection: {
    makeSettings: () => ({ baseUrl: 'http://localhost:8888/lab-base/' }),
    makeRequest: (...args: unknown[]) => makeRequest(...args)
  }
}));

import {
  apiPath,
  apiUrl,
  errorFromBody,
  requestAPI,
  SecretsApiError,
  statusMessage
} from '../request';

function reply(status: number, body?: unknown, statusText = ''): Response {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, { status, statusText });
}

describe('apiUrl', () => {
  it('joins the base URL, the namespace and the end point', () => {
    expect(apiUrl('http://h/base/', 'status')).toBe('http://h/base/api/secrets/status');
    expect(apiUrl('http://h/base', 'status')).toBe('http://h/base/api/secrets/status');
    expect(apiUrl('http://h/', '/user-secrets')).toBe('http://h/api/secrets/user-secrets');
    expect(apiUrl('http://h/', '')).toBe('http://h/api/secrets');
  });

  it('encodes the query and leaves out empty parameters', () => {
    expect(apiUrl('http://h/', 'projects', { path: 'a b/c&d' })).toBe(
      'http://h/api/secrets/projects?path=a+b%2Fc%26d'
    );
    expect(apiUrl('http://h/', 'projects', { path: '' })).toBe(
      'http://h/api/secrets/projects?path='
    );
    expect(apiUrl('http://h/', 'projects', { a: undefined, b: null })).toBe(
      'http://h/api/secrets/projects'
    );
  });
});

describe('apiPath', () => {
  it('encodes every segment', () => {
    expect(apiPath('projects', 'a/b', 'slots', 'x y')).toBe('projects/a%2Fb/slots/x%20y');
  });
});

describe('errorFromBody', () => {
  it('keeps the message and field of the server', () => {
    const e = errorFromBody(400, {
      message: 'filename: must be 1-200 characters of [A-Za-z0-9_.-]',
      field: 'filename'
    });
    expect(e).toBeInstanceOf(SecretsApiError);
    expect(e).toBeInstanceOf(Error);
    expect(e.status).toBe(400);
    expect(e.field).toBe('filename');
    expect(e.message).toMatch(/^filename: /);
  });

  it('uses the reason when there is no message, and a readable text otherwise', () => {
    expect(errorFromBody(409, { reason: 'Conflict' }).message).toBe('Conflict');
    expect(errorFromBody(409, { reason: 'Conflict' }).field).toBeNull();
    expect(errorFromBody(503, '<html>').message).toBe(statusMessage(503));
    expect(errorFromBody(418, null, "I'm a teapot").message).toBe(
      "The server answered 418 I'm a teapot."
    );
    expect(errorFromBody(400, { message: '', field: '' }).field).toBeNull();
  });

  it("keeps a guest's reason and the owner's name", () => {
    const e = errorFromBody(403, {
      message: 'These secrets belong to alice, the owner of this server.',
      reason: 'not-owner',
      owner: 'alice'
    });
    expect(e.status).toBe(403);
    expect(e.reason).toBe('not-owner');
    expect(e.owner).toBe('alice');
    expect(e.message).toBe('These secrets belong to alice, the owner of this server.');
    expect(errorFromBody(400, { message: 'x', owner: 3 }).owner).toBeNull();
    expect(errorFromBody(400, { message: 'x' }).reason).toBeNull();
  });
});

describe('requestAPI', () => {
  beforeEach(() => makeRequest.mockReset());

  it('calls the page server with JSON and returns the parsed reply', async () => {
    makeRequest.mockResolvedValue(reply(200, { locked: false }));
    const result = await requestAPI<{ locked: boolean }>('status');
    expect(result).toEqual({ locked: false });
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/lab-base/api/secrets/status');
    expect((init.headers as Headers).has('Content-Type')).toBe(false);
  });

  it('sends a JSON content type with a body, and the query', async () => {
    makeRequest.mockResolvedValue(reply(201, { id: 'p1' }));
    await requestAPI('projects', { method: 'POST', body: '{}' }, { path: 'x' });
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/lab-base/api/secrets/projects?path=x');
    expect(init.method).toBe('POST');
    expect((init.headers as Headers).get('Content-Type')).toBe('application/json');
  });

  it('returns undefined for 204', async () => {
    makeRequest.mockResolvedValue(reply(204));
    await expect(requestAPI('user-secrets/x', { method: 'DELETE' })).resolves.toBeUndefined();
  });

  it('throws a SecretsApiError with message and field', async () => {
    makeRequest.mockResolvedValue(
      reply(400, { message: 'env: is on the deny-list', field: 'env' })
    );
    await expect(
      requestAPI('projects/p/slots', { method: 'POST', body: '{}' })
    ).rejects.toMatchObject({
      name: 'SecretsApiError',
      status: 400,
      field: 'env',
      message: 'env: is on the deny-list'
    });
  });

  it('maps a network failure to status 0', async () => {
    makeRequest.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(requestAPI('status')).rejects.toMatchObject({
      status: 0,
      message: statusMessage(0)
    });
  });

  it('maps a non-JSON error page to a readable message', async () => {
    makeRequest.mockResolvedValue(reply(404, '<html>Not Found</html>', 'Not Found'));
    await expect(requestAPI('status')).rejects.toMatchObject({
      status: 404,
      message: statusMessage(404)
    });
  });
});
