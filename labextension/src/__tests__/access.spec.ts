/**
 * The guest decision: made once from `GET /api/secrets/status`, before any UI is added.
 */
jest.mock('@jupyterlab/services', () => ({ ServerConnection: {} }));

import { decideAccess, guestOf } from '../access';
import { errorFromBody, SecretsApiError } from '../request';
import { IStatus } from '../apiTypes';

const STATUS: IStatus = {
  locked: false,
  lock_reason: null,
  files_error: null,
  on_save: 'redact',
  secrets_dir: '/dev/shm/jupyter-secrets-1000/server-1',
  secrets_dir_memory_backed: true,
  secrets_dir_warnings: [],
  store_created: null,
  store_created_now: false,
  version: '0.1.0'
};

const NOT_OWNER_BODY = {
  message: 'These secrets belong to alice, the owner of this server.',
  reason: 'not-owner',
  owner: 'alice'
};

const failing = (error: unknown) => () => Promise.reject(error);

describe('decideAccess', () => {
  it('gives the owner the UI, with the status it read', async () => {
    const access = await decideAccess(() => Promise.resolve(STATUS));
    expect(access).toEqual({ kind: 'owner', status: STATUS });
  });

  it('gives a guest only a notice naming the owner', async () => {
    const access = await decideAccess(failing(errorFromBody(403, NOT_OWNER_BODY)));
    expect(access).toEqual({
      kind: 'guest',
      owner: 'alice',
      notice:
        'The secrets of this server belong to its owner, alice: the Secrets panel is not shown to other users.'
    });
  });

  it('asks the server once', async () => {
    const readStatus = jest.fn(() => Promise.reject(errorFromBody(403, NOT_OWNER_BODY)));
    await decideAccess(readStatus);
    expect(readStatus).toHaveBeenCalledTimes(1);
  });

  it("says it in the user's language", async () => {
    const __ = (msg: string, ...args: any[]) =>
      `T[${args.reduce<string>((t, a, i) => t.replace(`%${i + 1}`, a), msg)}]`;
    const trans = { __, _n: __ };
    const access = await decideAccess(failing(errorFromBody(403, NOT_OWNER_BODY)), trans);
    expect(access).toMatchObject({
      kind: 'guest',
      notice: expect.stringMatching(/^T\[.*alice.*\]$/)
    });
  });

  it("uses the server's sentence when it names no owner, else a general one", () => {
    const unnamed = new SecretsApiError(403, 'Not yours.', null, 'not-owner', null);
    expect(guestOf(unnamed)).toEqual({ kind: 'guest', owner: null, notice: 'Not yours.' });
    const bare = new SecretsApiError(403, '', null, 'not-owner', null);
    expect(guestOf(bare)?.notice).toBe('The secrets of this server belong to its owner.');
  });

  it('treats any other 403 (an authorizer refusing "secrets") as a guest too', async () => {
    const access = await decideAccess(failing(errorFromBody(403, { message: 'Forbidden' })));
    expect(access).toEqual({
      kind: 'guest',
      owner: null,
      notice: 'The secrets of this server are not available to you.'
    });
  });

  it.each([
    ['a network failure', new SecretsApiError(0, 'Cannot reach the Jupyter server.')],
    ['a disabled server extension', errorFromBody(404, null)],
    ['a locked store', errorFromBody(503, { message: 'locked' })],
    ['a server error', errorFromBody(500, { message: 'internal error' })],
    ['not an API error', new TypeError('boom')],
    ['nothing', undefined]
  ])('keeps the UI (without a status) after %s', async (_, error) => {
    expect(await decideAccess(failing(error))).toEqual({ kind: 'owner', status: null });
  });
});

describe('decideAccess timeout', () => {
  it('does not hold JupyterLab back when the server does not answer', async () => {
    const never = () => new Promise<IStatus>(() => undefined);
    expect(await decideAccess(never, undefined, 20)).toEqual({ kind: 'owner', status: null });
  });
});

describe('guestOf', () => {
  it('is null for anything but a 403', () => {
    expect(guestOf(errorFromBody(401, NOT_OWNER_BODY))).toBeNull();
    expect(guestOf(null)).toBeNull();
    expect(guestOf('403')).toBeNull();
    expect(guestOf({ status: '403' })).toBeNull();
  });
});
