/**
 * The model: follows a folder, merges overlapping reloads, and updates its state from the
 * replies of writes (re-reading only what a reply does not tell).
 */
jest.mock('@jupyterlab/services', () => ({ ServerConnection: {} }));

import type { IProject, ISlot, IUserSecret } from '../apiTypes';
import { RequestFunction, SecretsClient } from '../client';
import { SecretsModel } from '../model';

function slot(id: string, extra: Partial<ISlot> = {}): ISlot {
  return {
    id,
    name: id,
    description: '',
    filename: id,
    env: null,
    state: 'missing',
    secret: null,
    expires_soon: false,
    ...extra
  };
}

function project(path: string, slots: ISlot[] = []): IProject {
  return { id: `id-${path}`, name: path, path, exists: true, error: null, slots };
}

function secret(id: string, usage: Array<[string, string]> = []): IUserSecret {
  return {
    id,
    name: id,
    created: '2026-01-01T00:00:00Z',
    modified: '2026-01-01T00:00:00Z',
    expires: null,
    expired: false,
    expires_soon: false,
    binary: false,
    usage: usage.map(([pid, sid]) => ({
      project_id: pid,
      project_name: null,
      project_path: '',
      slot_id: sid,
      slot_name: sid
    }))
  };
}

/** A fake server: answers by route, records `METHOD endPoint` of every request. */
function server(routes: Record<string, (init?: RequestInit, query?: any) => unknown> = {}) {
  const calls: string[] = [];
  let fail = false;
  const request = (async (endPoint: string, init?: RequestInit, query?: any) => {
    const key = `${init?.method ?? 'GET'} ${endPoint}`;
    calls.push(key);
    if (fail) {
      throw Object.assign(new Error('store locked'), { status: 503, field: null });
    }
    if (routes[key]) {
      return routes[key](init, query);
    }
    if (key === 'GET projects') {
      await new Promise(resolve => setTimeout(resolve, 5));
      return project(query.path);
    }
    if (key === 'GET status') {
      return { locked: false, lock_reason: null, files_error: null };
    }
    return undefined;
  }) as RequestFunction;
  const model = new SecretsModel({ client: new SecretsClient(request) });
  return { calls, model, setFail: (value: boolean) => (fail = value) };
}

const reads = (calls: string[]) => calls.filter(c => c.startsWith('GET projects'));

describe('SecretsModel: loading', () => {
  it('loads the project of the folder it follows', async () => {
    const { calls, model } = server();
    const changed: Array<string | undefined> = [];
    model.projectChanged.connect((_, p) => changed.push(p?.path));
    await model.setPath('a/b');
    expect(model.project?.path).toBe('a/b');
    expect(changed).toEqual(['a/b']);
    await model.setPath('a/b'); // same folder again: nothing to do
    expect(reads(calls)).toHaveLength(1);
  });

  it('merges reloads asked while one runs, and ends on the last folder', async () => {
    const { calls, model } = server();
    void model.setPath('one');
    void model.setPath('two');
    void model.refreshProject();
    await model.setPath('three');
    await new Promise(resolve => setTimeout(resolve, 40));
    expect(reads(calls).length).toBeLessThanOrEqual(2);
    expect(model.project?.path).toBe('three');
  });

  it('keeps the last project and shows the error when a reload fails', async () => {
    const { model, setFail } = server();
    await model.setPath('x');
    setFail(true);
    await model.refreshProject();
    expect(model.error).toBe('store locked');
    expect(model.project?.path).toBe('x');
    expect(model.status).toBeNull();
    setFail(false);
    await model.refreshProject();
    expect(model.error).toBeNull();
  });

  it('holds the guest decision and makes no other request for a guest', async () => {
    const { calls, model } = server({
      'GET status': () => {
        throw Object.assign(new Error('no'), { status: 403, reason: 'not-owner', owner: 'alice' });
      }
    });
    const access = await model.checkAccess();
    expect(access).toMatchObject({ kind: 'guest', owner: 'alice' });
    expect(model.access.kind).toBe('guest');
    expect(calls).toEqual(['GET status']);
  });

  it('keeps the status of the access check', async () => {
    const { calls, model } = server();
    const statuses: unknown[] = [];
    model.statusChanged.connect((_, s) => statuses.push(s));
    await model.checkAccess();
    expect(model.access.kind).toBe('owner');
    expect(model.status).toMatchObject({ locked: false });
    expect(statuses).toHaveLength(1);
    expect(calls).toEqual(['GET status']);
  });

  it('takes the answer of a request sent before activation instead of asking again', async () => {
    const { calls, model } = server();
    const sent = Promise.reject(
      Object.assign(new Error('no'), { status: 403, reason: 'not-owner', owner: 'bob' })
    );
    const access = await model.checkAccess(1000, sent);
    expect(access).toMatchObject({ kind: 'guest', owner: 'bob' });
    expect(calls).toEqual([]);
  });
});

describe('SecretsModel: writes update the state from their replies', () => {
  it('adds, edits and removes slots without reading the project again', async () => {
    const { calls, model } = server({
      'POST projects/id-p/slots': () => slot('s1'),
      'PATCH projects/id-p/slots/s1': () => slot('s1', { name: 'Renamed' }),
      'DELETE projects/id-p/slots/s1': () => undefined
    });
    await model.setPath('p');
    const emitted: number[] = [];
    model.projectChanged.connect((_, p) => emitted.push(p?.slots.length ?? -1));

    await model.addSlot('id-p', { name: 's1', filename: 's1' });
    expect(model.project?.slots.map(s => s.id)).toEqual(['s1']);
    await model.updateSlot('id-p', 's1', { name: 'Renamed' });
    expect(model.project?.slots[0].name).toBe('Renamed');
    await model.removeSlot('id-p', 's1');
    expect(model.project?.slots).toEqual([]);
    expect(emitted).toEqual([1, 1, 0]);
    expect(reads(calls)).toHaveLength(1);
  });

  it('moves the usage from the old secret to the one of the reply', async () => {
    const linked = secret('new', [['id-p', 's1']]);
    const { calls, model } = server({
      'GET projects': () =>
        project('p', [slot('s1', { state: 'provided', secret: { id: 'old', name: 'old' } })]),
      'GET user-secrets': () => ({
        secrets: [
          secret('old', [
            ['id-p', 's1'],
            ['id-q', 's2']
          ])
        ]
      }),
      'PUT projects/id-p/slots/s1/value': () => ({
        slot: slot('s1', { state: 'provided', secret: { id: 'new', name: 'new' } }),
        secret: linked,
        created: true,
        message: 'A new secret was created for this slot.'
      })
    });
    await model.setPath('p');
    await model.loadSecrets();
    const lists: number[] = [];
    model.secretsChanged.connect((_, list) => lists.push(list?.length ?? -1));

    await model.provideValue('id-p', 's1', { value: 'v' });
    expect(model.project?.slots[0].secret?.id).toBe('new');
    expect(model.secrets?.map(s => s.id)).toEqual(['new', 'old']);
    expect(model.secrets?.find(s => s.id === 'old')?.usage.map(u => u.slot_id)).toEqual(['s2']);
    expect(lists).toEqual([2]);
    expect(calls.filter(c => c === 'GET user-secrets')).toHaveLength(1);
    expect(reads(calls)).toHaveLength(1);
  });

  it('reads the project again after an unlink (the 204 does not tell the new state)', async () => {
    const { calls, model } = server({
      'GET user-secrets': () => ({ secrets: [secret('a', [['id-p', 's1']])] })
    });
    await model.setPath('p');
    await model.loadSecrets();
    await model.unlinkValue('id-p', 's1');
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(reads(calls)).toHaveLength(2);
    expect(model.secrets?.[0].usage).toEqual([]);
  });

  it('adds, renames and deletes user secrets in the one list', async () => {
    const { calls, model } = server({
      'GET projects': () =>
        project('p', [slot('s1', { state: 'provided', secret: { id: 'b', name: 'b' } })]),
      'GET user-secrets': () => ({ secrets: [secret('b', [['id-p', 's1']])] }),
      'POST user-secrets': () => secret('a'),
      'PATCH user-secrets/b': () => ({ ...secret('b', [['id-p', 's1']]), name: 'bee' }),
      'DELETE user-secrets/a': () => undefined
    });
    await model.setPath('p');
    await model.loadSecrets();
    await model.createUserSecret({ name: 'a', value: 'x' });
    expect(model.secrets?.map(s => s.name)).toEqual(['a', 'b']);
    await model.updateUserSecret('b', { name: 'bee' });
    expect(model.secrets?.map(s => s.name)).toEqual(['a', 'bee']);
    expect(model.project?.slots[0].secret?.name).toBe('bee'); // the slot shows the new name
    await model.deleteUserSecret('a');
    expect(model.secrets?.map(s => s.name)).toEqual(['bee']);
    expect(calls.filter(c => c === 'GET user-secrets')).toHaveLength(1);
    expect(reads(calls)).toHaveLength(1);
  });

  it('reads the project again when a secret it uses gets a new value', async () => {
    const { calls, model } = server({
      'GET projects': () =>
        project('p', [slot('s1', { state: 'expired', secret: { id: 'b', name: 'b' } })]),
      'PATCH user-secrets/b': () => secret('b', [['id-p', 's1']])
    });
    await model.setPath('p');
    await model.updateUserSecret('b', { value: 'fresh' });
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(reads(calls)).toHaveLength(2);
  });

  it('makes the new project the current one', async () => {
    const { model } = server({
      'GET projects': (_init, query) => ({ ...project(query.path), id: null, exists: false }),
      'POST projects': () => project('here')
    });
    await model.setPath('here');
    expect(model.project?.exists).toBe(false);
    await model.createProject('here', 'Here');
    expect(model.project).toMatchObject({ id: 'id-here', exists: true });
  });

  it('drops a project read that a write overtook, and reads again', async () => {
    let answer = 0;
    const { model } = server({
      'GET projects': async () => {
        const n = ++answer;
        await new Promise(resolve => setTimeout(resolve, 10));
        return project('p', n === 1 ? [] : [slot('s1')]);
      },
      'POST projects/id-p/slots': () => slot('s1')
    });
    await model.setPath('p');
    const reload = model.refreshProject(); // answers without s1
    await model.addSlot('id-p', { name: 's1', filename: 's1' });
    await reload;
    await new Promise(resolve => setTimeout(resolve, 40));
    expect(model.project?.slots.map(s => s.id)).toEqual(['s1']);
  });
});

describe('SecretsModel: entering a folder', () => {
  it('tells the entry once, and never after the page wrote to the project meanwhile', async () => {
    const entered: string[] = [];
    let answer = 0;
    const { model } = server({
      'GET projects': async (_, query) => {
        const n = ++answer;
        await new Promise(resolve => setTimeout(resolve, 10));
        return project(query.path, n === 1 ? [] : [slot('s1')]);
      },
      'POST projects/id-p/slots': () => slot('s1')
    });
    model.projectEntered.connect((_, p) => entered.push(p.path));
    const entering = model.setPath('p'); // its read answers before the slot exists
    await model.addSlot('id-p', { name: 's1', filename: 's1' });
    await entering;
    await new Promise(resolve => setTimeout(resolve, 40));
    expect(model.project?.slots.map(s => s.id)).toEqual(['s1']);
    expect(entered).toEqual([]);

    await model.setPath('q');
    expect(entered).toEqual(['q']);
    await model.refreshProject();
    expect(entered).toEqual(['q']);
  });
});

describe('SecretsModel: settings', () => {
  it('uses the defaults until the settings are connected, then follows them', async () => {
    const { model } = server();
    expect(model.settings).toEqual({ launchDialog: true, refreshInterval: 30 });
    const values: Record<string, unknown> = { launchDialog: false, refreshInterval: 10 };
    const listeners: Array<() => void> = [];
    const settings = {
      get: (key: string) => ({ composite: values[key] }),
      set: async (key: string, value: unknown) => {
        values[key] = value;
        listeners.forEach(l => l());
      },
      changed: { connect: (fn: () => void) => listeners.push(fn) }
    };
    model.connectSettings(settings as any);
    await model.settingsLoaded;
    expect(model.settings).toEqual({ launchDialog: false, refreshInterval: 10 });
    await model.setSetting('launchDialog', true);
    expect(model.settings.launchDialog).toBe(true);
  });
});
