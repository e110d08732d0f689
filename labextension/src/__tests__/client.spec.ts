/**
 * The client: one route, verb and body per method, and no state.
 */
jest.mock('@jupyterlab/services', () => ({ ServerConnection: {} }));

import { SecretsClient, RequestFunction } from '../client';

function fakeRequest(result: unknown = {}) {
  const calls: Array<{ endPoint: string; init?: RequestInit; query?: unknown }> = [];
  const request = (async (endPoint: string, init?: RequestInit, query?: unknown) => {
    calls.push({ endPoint, init, query });
    return result;
  }) as RequestFunction;
  return { calls, request };
}

describe('SecretsClient', () => {
  it('reads the project of a path', async () => {
    const { calls, request } = fakeRequest({ exists: false });
    const client = new SecretsClient(request);
    await client.projectOf('notebooks/demo');
    expect(calls[0]).toEqual({
      endPoint: 'projects',
      init: { method: 'GET' },
      query: { path: 'notebooks/demo' }
    });
  });

  it('builds every write route with encoded ids', async () => {
    const { calls, request } = fakeRequest();
    const client = new SecretsClient(request);
    await client.createProject('a', 'A');
    await client.addSlot('p/1', { name: 'n', filename: 'f' });
    await client.updateSlot('p1', 's1', { env: null });
    await client.removeSlot('p1', 's1');
    await client.provideValue('p1', 's1', { secret_id: 'x' });
    await client.unlinkValue('p1', 's1');
    await client.createUserSecret({ name: 'n', value: 'v' });
    await client.updateUserSecret('u 1', { name: 'm' });
    await client.deleteUserSecret('u1');
    expect(calls.map(c => `${c.init?.method} ${c.endPoint}`)).toEqual([
      'POST projects',
      'POST projects/p%2F1/slots',
      'PATCH projects/p1/slots/s1',
      'DELETE projects/p1/slots/s1',
      'PUT projects/p1/slots/s1/value',
      'DELETE projects/p1/slots/s1/value',
      'POST user-secrets',
      'PATCH user-secrets/u%201',
      'DELETE user-secrets/u1'
    ]);
    expect(JSON.parse(calls[0].init!.body as string)).toEqual({ path: 'a', name: 'A' });
    expect(JSON.parse(calls[2].init!.body as string)).toEqual({ env: null });
    expect(JSON.parse(calls[4].init!.body as string)).toEqual({ secret_id: 'x' });
    expect(calls[3].init!.body).toBeUndefined();
  });

  it('unwraps the list of user secrets', async () => {
    const { request } = fakeRequest({ secrets: [{ id: '1' }] });
    expect(await new SecretsClient(request).userSecrets()).toEqual([{ id: '1' }]);
  });
});
