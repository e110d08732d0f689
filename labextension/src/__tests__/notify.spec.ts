/**
 * What the launch dialog and the notifications listen to: the model's `projectEntered` (a
 * folder entered, never a refresh) and `changed` (each write that succeeded), and the
 * sentences of `notify.ts`.
 */
jest.mock('@jupyterlab/apputils', () => ({
  Notification: { success: jest.fn(), info: jest.fn(), error: jest.fn() }
}));

import { Notification } from '@jupyterlab/apputils';

import { changeMessage, notifyChange, notifyFailure } from '../notify';
import type { SecretsChange } from '../tokens';
import { fakeServer, project, secret, slot, trans } from './helpers';

function server(paths: Record<string, ReturnType<typeof project>>) {
  return fakeServer({
    'GET projects': (_body, query) => paths[query.path],
    'POST projects/id-p/slots': () => slot('s1', { name: 'Token' }),
    'PUT projects/id-p/slots/s1/value': () => ({
      slot: slot('s1', { name: 'Token', state: 'provided' }),
      secret: secret('shared'),
      created: false,
      message: ''
    }),
    'GET user-secrets': () => ({ secrets: [secret('old-name')] }),
    'PATCH user-secrets/sec-old-name': () => secret('new-name')
  });
}

describe('SecretsModel: projectEntered', () => {
  it('tells a folder entered, the first one included, and never a refresh', async () => {
    const { model } = server({ '': project('', []), p: project('p', [slot('s1')]) });
    const entered: Array<string | null> = [];
    model.projectEntered.connect((_, p) => entered.push(p.id));

    await model.refreshProject(); // e.g. the panel, before the file browser is restored
    expect(entered).toEqual([]);
    await model.setPath(''); // the launch: the same folder, but entered now
    expect(entered).toEqual(['id-']);
    await model.setPath(''); // nothing new
    await model.refreshProject();
    await model.refresh();
    expect(entered).toEqual(['id-']);
    await model.setPath('p');
    await model.refreshProject();
    expect(entered).toEqual(['id-', 'id-p']);
  });
});

describe('SecretsModel: changed', () => {
  it('tells each write that succeeded, with what the notification needs', async () => {
    const { model } = server({ p: project('p', []) });
    const changes: SecretsChange[] = [];
    model.changed.connect((_, c) => changes.push(c));
    await model.setPath('p');
    await model.loadSecrets();
    await model.addSlot('id-p', { name: 'Token', filename: 'token', description: '' });
    await model.provideValue('id-p', 's1', { secret_id: 'shared' });
    await model.provideValue('id-p', 's1', { secret_id: 'shared' }, { silent: true });
    await model.updateUserSecret('sec-old-name', { name: 'new-name' });
    expect(changes.map(c => [c.kind, !!c.silent])).toEqual([
      ['slot-added', false],
      ['value-provided', false],
      ['value-provided', true],
      ['secret-updated', false]
    ]);
    expect(changes.map(c => changeMessage(c, trans))).toEqual([
      'Added the slot "Token".',
      '"Token" now uses the secret "shared".',
      '"Token" now uses the secret "shared".',
      'Renamed "old-name" to "new-name".'
    ]);
  });

  it('does not tell a write that failed', async () => {
    const { model } = fakeServer({});
    const changes: SecretsChange[] = [];
    model.changed.connect((_, c) => changes.push(c));
    await expect(model.deleteUserSecret('nope')).rejects.toThrow();
    expect(changes).toEqual([]);
  });
});

describe('notify', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows one success toast per change, none for a silent one', () => {
    notifyChange({ kind: 'secret-created', secret: secret('api') }, trans);
    notifyChange({ kind: 'secret-deleted', secretName: 'api', silent: true }, trans);
    expect(Notification.success).toHaveBeenCalledTimes(1);
    expect((Notification.success as jest.Mock).mock.calls[0][0]).toBe('Added the secret "api".');
  });

  it('says to commit the slot file of a new project', () => {
    const message = changeMessage(
      { kind: 'project-created', project: project('x', [], { name: 'X' }) },
      trans
    );
    expect(message).toContain('"X"');
    expect(message).toContain('.jupyter/secret-slots.json');
  });

  it('adds the server note when a new secret was created for a slot', () => {
    notifyChange(
      {
        kind: 'value-provided',
        slot: slot('s', { name: 'S' }),
        reply: {
          slot: slot('s'),
          secret: secret('s-file'),
          created: true,
          message: 'Saved as a new secret "s-file".'
        },
        reused: false
      },
      trans
    );
    expect(Notification.success).toHaveBeenCalledWith('Saved the value of "S".', {
      autoClose: 4000
    });
    expect(Notification.info).toHaveBeenCalledWith('Saved as a new secret "s-file".', {
      autoClose: 6000
    });
  });

  it('shows failures as "what: why"', () => {
    notifyFailure('Cannot unlink', Object.assign(new Error('store locked'), { status: 503 }));
    expect(Notification.error).toHaveBeenCalledWith('Cannot unlink: store locked', {
      autoClose: 8000
    });
  });
});
