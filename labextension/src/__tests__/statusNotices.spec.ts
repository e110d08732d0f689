/**
 * What the panel says about the server's status: locked store, out-of-date files, secret
 * files on disk or in an unusual place, a store this start created.
 */
import { statusNotices } from '../statusNotices';
import { IStatus } from '../apiTypes';

const OK: IStatus = {
  locked: false,
  lock_reason: null,
  files_error: null,
  on_save: 'redact',
  secrets_dir: '/dev/shm/jupyter-secrets-1000/server-1',
  secrets_dir_memory_backed: true,
  secrets_dir_warnings: [],
  store_created: '2024-05-01T10:00:00+00:00',
  store_created_now: false,
  version: '0.1.0'
};

const keys = (status: Partial<IStatus> | null) => statusNotices(status).map(n => n.key);

describe('statusNotices', () => {
  it('says nothing when all is well, or before the status is known', () => {
    expect(statusNotices(OK)).toEqual([]);
    expect(statusNotices(null)).toEqual([]);
    expect(statusNotices(undefined)).toEqual([]);
  });

  it('says nothing when memory-backing cannot be told and there is no warning', () => {
    expect(statusNotices({ ...OK, secrets_dir_memory_backed: null })).toEqual([]);
  });

  it('shows why the store is locked, as an error', () => {
    const [notice] = statusNotices({ ...OK, locked: true, lock_reason: 'wrong key' });
    expect(notice).toEqual({
      key: 'locked',
      level: 'error',
      text: 'The secrets store is locked.',
      details: ['wrong key']
    });
    expect(statusNotices({ ...OK, locked: true, lock_reason: null })[0].details).toEqual([]);
    expect(statusNotices({ ...OK, locked: true, lock_reason: '  ' })[0].details).toEqual([]);
  });

  it('shows files_error, as an error', () => {
    const [notice] = statusNotices({ ...OK, files_error: 'No space left on device' });
    expect(notice).toMatchObject({
      key: 'files',
      level: 'error',
      text: 'Some secret files are out of date.'
    });
    expect(notice.details[0]).toBe('No space left on device');
  });

  it('warns when secret files are on disk, with the server warnings as details', () => {
    const warning = 'no memory-backed place: secret files are written to disk under /tmp/x';
    const [notice] = statusNotices({
      ...OK,
      secrets_dir: '/tmp/x/server-1',
      secrets_dir_memory_backed: false,
      secrets_dir_warnings: [warning]
    });
    expect(notice.key).toBe('location');
    expect(notice.level).toBe('warning');
    expect(notice.text).toMatch(/written to disk, not to memory/);
    expect(notice.details).toEqual([warning]);
  });

  it('names the folder when the files are on disk and the server gave no warning', () => {
    const [notice] = statusNotices({
      ...OK,
      secrets_dir: '/home/me/secrets/server-1',
      secrets_dir_memory_backed: false
    });
    expect(notice.details).toEqual(['Folder: /home/me/secrets/server-1']);
  });

  it('warns about a squatted location even when the new one is in memory', () => {
    const squatted =
      'the secrets location /dev/shm/jupyter-secrets-1000 belongs to another user; ' +
      'using /dev/shm/jupyter-secrets-abc123 instead';
    const [notice] = statusNotices({ ...OK, secrets_dir_warnings: [squatted, '', 3 as any] });
    expect(notice).toMatchObject({ key: 'location', level: 'warning', details: [squatted] });
    expect(notice.text).toBe('Secret files are not in their usual place.');
  });

  it('does not nag about a store this start created (every new user has one)', () => {
    expect(statusNotices({ ...OK, store_created_now: true })).toEqual([]);
  });

  it('orders the notices most serious first', () => {
    expect(
      keys({
        ...OK,
        store_created_now: true,
        secrets_dir_memory_backed: false,
        files_error: 'disk full',
        locked: true,
        lock_reason: 'no key'
      })
    ).toEqual(['locked', 'files', 'location']);
  });

  it('copes with a server that sends none of the new fields', () => {
    expect(keys({ locked: false, lock_reason: null, secrets_dir: '/x' })).toEqual([]);
    expect(keys({ locked: true, lock_reason: 'k' })).toEqual(['locked']);
  });

  it('translates every sentence', () => {
    const __ = (msg: string, ...args: any[]) => `T[${msg}]${args.join(',')}`;
    const trans = { __, _n: __ };
    const notices = statusNotices(
      { ...OK, locked: true, lock_reason: 'k', secrets_dir_memory_backed: false },
      trans
    );
    for (const notice of notices) {
      expect(notice.text.startsWith('T[')).toBe(true);
    }
  });
});
