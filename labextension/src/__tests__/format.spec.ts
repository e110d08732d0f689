import {
  countStates,
  dateInputFromExpires,
  errorsFor,
  expiresFromDateInput,
  fieldMessage,
  folderName,
  formatDate,
  GENERAL,
  messageOf,
  missingSlots,
  projectTitle,
  saveGuardMessage,
  sortSecrets,
  stateBadge,
  usageLabels
} from '../format';
import { IProject, ISlot, IUserSecret, SlotState } from '../apiTypes';

function slot(id: string, state: SlotState): ISlot {
  return {
    id,
    name: `Slot ${id}`,
    description: '',
    filename: id,
    env: null,
    state,
    secret: null,
    expires_soon: false
  };
}

function project(slots: ISlot[], exists = true): IProject {
  return { id: 'p', name: 'Demo', path: 'demo', exists, error: null, slots };
}

describe('stateBadge', () => {
  it('has a label and a class per state', () => {
    for (const state of ['provided', 'missing', 'expired', 'unreadable'] as SlotState[]) {
      const badge = stateBadge(state);
      expect(badge.label).toBe(state);
      expect(badge.className).toBe(`jp-secrets-Badge-${state}`);
      expect(badge.title.length).toBeGreaterThan(0);
    }
  });

  it('treats an unknown state as missing and translates', () => {
    expect(stateBadge('weird' as SlotState).label).toBe('missing');
    const upper = { __: (s: string) => s.toUpperCase(), _n: (s: string) => s };
    expect(stateBadge('provided', upper).label).toBe('PROVIDED');
  });
});

describe('missingSlots and countStates', () => {
  const slots = [
    slot('a', 'missing'),
    slot('b', 'provided'),
    slot('c', 'missing'),
    slot('d', 'expired')
  ];

  it('lists the slots that need a value (every state but provided), as the server does', () => {
    expect(missingSlots(project(slots)).map(s => s.id)).toEqual(['a', 'c', 'd']);
    expect(missingSlots(project(slots, false))).toEqual([]);
    expect(missingSlots(null)).toEqual([]);
  });

  it('counts states', () => {
    expect(countStates(slots)).toEqual({
      provided: 1,
      missing: 2,
      expired: 1,
      unreadable: 0,
      'fetch-failed': 0
    });
  });
});

describe('usage', () => {
  const secret: Pick<IUserSecret, 'usage'> = {
    usage: [
      {
        project_id: 'p2',
        project_name: 'Zeta',
        project_path: 'z',
        slot_id: 's',
        slot_name: 'token'
      },
      {
        project_id: 'p1',
        project_name: null,
        project_path: 'nb/demo',
        slot_id: 's',
        slot_name: 'db'
      },
      { project_id: 'p0', project_name: null, project_path: '', slot_id: 's', slot_name: 'key' }
    ]
  };

  it('labels each usage "project / slot", sorted', () => {
    expect(usageLabels(secret)).toEqual(['(server root) / key', 'nb/demo / db', 'Zeta / token']);
  });

  it('names a slot by its id when the server gives no name', () => {
    const usage = {
      project_id: 'p',
      project_name: null,
      project_path: null,
      slot_id: 's9',
      slot_name: null
    };
    expect(usageLabels({ usage: [usage] })).toEqual(['(server root) / s9']);
  });
});

describe('dates', () => {
  it('formats dates and passes odd input through', () => {
    expect(formatDate(null)).toBe('');
    expect(formatDate('not a date')).toBe('not a date');
    expect(formatDate('2026-11-22T06:40:00Z', 'en-GB')).toMatch(/2026/);
  });

  it('converts date inputs to expires and back', () => {
    expect(expiresFromDateInput('')).toBeNull();
    expect(expiresFromDateInput(' 2027-01-01 ')).toBe('2027-01-01');
    expect(dateInputFromExpires('2027-01-01T00:00:00Z')).toBe('2027-01-01');
    expect(dateInputFromExpires(null)).toBe('');
  });
});

describe('errors', () => {
  it('strips the field prefix the server puts in front', () => {
    expect(fieldMessage({ message: 'filename: must not contain /', field: 'filename' })).toBe(
      'must not contain /'
    );
    expect(fieldMessage({ message: 'duplicate filename', field: 'filename' })).toBe(
      'duplicate filename'
    );
    expect(fieldMessage({ message: 'x', field: null })).toBe('x');
  });

  it('maps an error to a form field, or to the general slot', () => {
    const e = { message: 'env: is reserved', field: 'env' };
    expect(errorsFor(e, ['name', 'env'])).toEqual({ env: 'is reserved' });
    expect(errorsFor(e, ['name'])).toEqual({ [GENERAL]: 'env: is reserved' });
    expect(errorsFor('boom', ['name'])).toEqual({ [GENERAL]: 'boom' });
    expect(messageOf(new Error('bad'))).toBe('bad');
  });
});

describe('names', () => {
  it('titles projects and folders', () => {
    expect(projectTitle({ name: 'Demo', path: 'x' })).toBe('Demo');
    expect(projectTitle({ name: null, path: 'x/y' })).toBe('x/y');
    expect(projectTitle({ name: null, path: '' })).toBe('(server root)');
    expect(folderName('a/b/', 'Project')).toBe('b');
    expect(folderName('', 'Root')).toBe('Root');
  });

  it('sorts secrets by name, case-insensitively', () => {
    const s = (name: string) => ({ name }) as IUserSecret;
    expect(sortSecrets([s('b'), s('A'), s('c')]).map(x => x.name)).toEqual(['A', 'b', 'c']);
  });
});

import { draftOf, provideBody, slotBody, suggestFilename } from '../format';

describe('provideBody', () => {
  it('maps each choice to a request body, or an error', () => {
    expect(provideBody({ mode: 'skip', value: 'x', secretId: '' })).toEqual({ skip: true });
    expect(provideBody({ mode: 'new', value: 's3cret', secretId: 'id' })).toEqual({
      body: { value: 's3cret' }
    });
    expect(provideBody({ mode: 'existing', value: 'x', secretId: 'id' })).toEqual({
      body: { secret_id: 'id' }
    });
    expect(provideBody({ mode: 'new', value: '', secretId: '' }).error).toBeTruthy();
    expect(provideBody({ mode: 'existing', value: '', secretId: '' }).error).toBeTruthy();
  });

  it('keeps leading and trailing spaces of a value', () => {
    expect(provideBody({ mode: 'new', value: ' a ', secretId: '' }).body).toEqual({ value: ' a ' });
  });
});

describe('slotBody', () => {
  it('sends trimmed fields of a new slot, without empty optional ones', () => {
    expect(slotBody({ name: ' DB ', description: '', filename: 'db', env: '' })).toEqual({
      name: 'DB',
      filename: 'db'
    });
    expect(slotBody({ name: 'DB', description: 'd', filename: 'db', env: 'DB_PW' })).toEqual({
      name: 'DB',
      description: 'd',
      filename: 'db',
      env: 'DB_PW'
    });
  });

  it('sends only what changed in an edit, env null when cleared', () => {
    const original = { name: 'DB', description: 'd', filename: 'db', env: 'DB_PW' };
    expect(slotBody(draftOf(original), original)).toEqual({});
    expect(slotBody({ ...draftOf(original), env: '', name: 'Db2' }, original)).toEqual({
      name: 'Db2',
      env: null
    });
  });

  it('suggests filenames', () => {
    expect(suggestFilename('Database password')).toBe('database-password');
    expect(suggestFilename('  API token (prod) ')).toBe('api-token-prod');
  });
});

describe('saveGuardMessage', () => {
  const event = {
    schema_id: 'https://events.jupyter.org/jupyter_secrets/save_guard/v1',
    path: 'proj/out.ipynb',
    slots: ['API token', 'Database password']
  };
  it('names the file and the slots when values were redacted', () => {
    const text = saveGuardMessage({ ...event, action: 'redacted' });
    expect(text).toContain('proj/out.ipynb');
    expect(text).toContain('API token, Database password');
    expect(text).toContain('redacted');
  });
  it('says the save was refused', () => {
    const text = saveGuardMessage({ ...event, action: 'refused' });
    expect(text).toContain('was not saved');
    expect(text).toContain('API token');
  });
});
