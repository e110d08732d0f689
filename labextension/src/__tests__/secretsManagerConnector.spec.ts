/**
 * The jupyter-secrets-manager connector: which request each call of the manager makes, what a
 * 404 means, and the refusal of a secret that does not match its key.
 */
jest.mock('@jupyterlab/services', () => ({ ServerConnection: {} }));

import { SecretsApiError } from '../request';
import { RequestFunction, ServerSecretsConnector } from '../secretsManager/connector';

const NS = '@acme/ext:plugin';
const KEY = `${NS}:token`;
const PATH = 'extension-secrets/%40acme%2Fext%3Aplugin%3Atoken';

function fakeRequest(reply: (endPoint: string, init?: RequestInit) => unknown) {
  const calls: Array<{ endPoint: string; init?: RequestInit; query?: unknown }> = [];
  const request = (async (endPoint: string, init?: RequestInit, query?: unknown) => {
    calls.push({ endPoint, init, query });
    return reply(endPoint, init);
  }) as RequestFunction;
  return { calls, request };
}

const notFound = () => {
  throw new SecretsApiError(404, 'no extension secret');
};

describe('ServerSecretsConnector', () => {
  it('fetches by the key, one encoded path segment', async () => {
    const { calls, request } = fakeRequest(() => ({ namespace: NS, id: 'token', value: 'v1' }));
    const secret = await new ServerSecretsConnector(request).fetch(KEY);
    expect(secret).toEqual({ namespace: NS, id: 'token', value: 'v1' });
    expect(calls).toEqual([{ endPoint: PATH, init: undefined, query: undefined }]);
  });

  it('answers undefined for a key with no secret, and throws other errors', async () => {
    expect(await new ServerSecretsConnector(fakeRequest(notFound).request).fetch(KEY)).toBe(
      undefined
    );
    const locked = fakeRequest(() => {
      throw new SecretsApiError(503, 'locked');
    });
    await expect(new ServerSecretsConnector(locked.request).fetch(KEY)).rejects.toThrow('locked');
  });

  it('saves with PUT, the namespace and id apart', async () => {
    const { calls, request } = fakeRequest(() => ({}));
    await new ServerSecretsConnector(request).save(KEY, { namespace: NS, id: 'token', value: 'v' });
    expect(calls[0].endPoint).toBe(PATH);
    expect(calls[0].init?.method).toBe('PUT');
    expect(JSON.parse(calls[0].init?.body as string)).toEqual({
      namespace: NS,
      id: 'token',
      value: 'v'
    });
  });

  it('refuses a secret whose namespace and id are not its key', async () => {
    const { calls, request } = fakeRequest(() => ({}));
    const connector = new ServerSecretsConnector(request);
    await expect(
      connector.save(KEY, { namespace: '@other/ext:plugin', id: 'token', value: 'v' })
    ).rejects.toThrow('do not match');
    expect(calls).toEqual([]);
  });

  it('removes with DELETE; a missing secret is no error', async () => {
    const { calls, request } = fakeRequest(notFound);
    await new ServerSecretsConnector(request).remove(KEY);
    expect(calls[0]).toEqual({ endPoint: PATH, init: { method: 'DELETE' }, query: undefined });
  });

  it('lists a namespace: ids from the list, each value fetched by its key', async () => {
    const { calls, request } = fakeRequest(endPoint =>
      endPoint === 'extension-secrets'
        ? { namespace: NS, secrets: [{ name: KEY, id: 'token', namespace: NS }] }
        : { namespace: NS, id: 'token', value: 'v1' }
    );
    const list = await new ServerSecretsConnector(request).list(NS);
    expect(list).toEqual({ ids: [KEY], values: [{ namespace: NS, id: 'token', value: 'v1' }] });
    expect(calls[0]).toEqual({ endPoint: 'extension-secrets', init: {}, query: { namespace: NS } });
    expect(calls[1].endPoint).toBe(PATH);
    expect(await new ServerSecretsConnector(request).list('')).toEqual({ ids: [], values: [] });
  });
});
