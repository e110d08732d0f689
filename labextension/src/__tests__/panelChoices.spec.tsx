/**
 * @jest-environment jsdom
 *
 * The panel's choices of issue 13: where a new value of a shared secret goes (everywhere, or
 * a new secret for this slot only), a folder inside a project made its own project, and
 * buttons whose accessible names say which slot.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import * as React from 'react';

import type { IUserSecret } from '../apiTypes';
import { PanelBody } from '../panel/panel';
import { freeSecretName } from '../panel/provideForm';
import { fakeServer, project, secret, slot, trans } from './helpers';

const SHARED = secret('warehouse', [
  ['id-demo', 'db'],
  ['id-other', 'dwh']
]);

function renderPanel(server: ReturnType<typeof fakeServer>) {
  render(
    <PanelBody model={server.model} trans={trans} openUserSecrets={jest.fn()} askMissing={null} />
  );
}

const card = (name: string) =>
  screen
    .getAllByTestId('secrets-slot')
    .find(el => el.getAttribute('data-slot-name') === name) as HTMLElement;

function sharedServer(extra: Record<string, (body: any) => unknown> = {}) {
  const linked = { id: SHARED.id, name: SHARED.name };
  return fakeServer({
    'GET projects': () =>
      project('demo', [
        slot('db', { name: 'Database password', state: 'provided', secret: linked })
      ]),
    'GET user-secrets': () => ({ secrets: [SHARED] }),
    ...extra
  });
}

async function openChange(server: ReturnType<typeof fakeServer>) {
  renderPanel(server);
  await act(() => server.model.setPath('demo'));
  fireEvent.click(within(card('Database password')).getByTestId('secrets-slot-provide'));
  await screen.findByTestId('value-scope');
  fireEvent.change(screen.getByTestId('value-value'), { target: { value: 'n3w-value' } });
}

describe('Changing the value of a shared secret', () => {
  it('lists the slots and asks where the value goes: nothing is chosen for the user', async () => {
    const server = sharedServer();
    await openChange(server);
    const usages = screen.getByTestId('value-scope-usages');
    expect(
      within(usages)
        .getAllByRole('listitem')
        .map(li => li.textContent)
    ).toEqual(['Demo / db', 'Demo / dwh']);
    fireEvent.click(screen.getByTestId('value-submit'));
    expect((await screen.findByTestId('value-error')).textContent).toBe(
      'Choose where the new value goes.'
    );
    expect(server.calls.some(c => c.startsWith('PUT') || c.startsWith('PATCH'))).toBe(false);
  });

  it('updates the saved secret everywhere with PATCH /user-secrets/{id}', async () => {
    const server = sharedServer({
      'PATCH user-secrets/sec-warehouse': () => SHARED
    });
    await openChange(server);
    fireEvent.click(screen.getByTestId('value-scope-everywhere'));
    fireEvent.click(screen.getByTestId('value-submit'));
    await waitFor(() => expect(screen.queryByTestId('value-form')).toBeNull());
    expect(server.bodyOf('PATCH user-secrets/sec-warehouse')).toEqual({ value: 'n3w-value' });
    expect(server.calls.some(c => c.startsWith('PUT'))).toBe(false);
  });

  it('uses a new secret for this slot only, under the name typed', async () => {
    const server = sharedServer({
      'PUT projects/id-demo/slots/db/value': body => ({
        slot: slot('db', {
          name: 'Database password',
          state: 'provided',
          secret: { id: 'n', name: body.name }
        }),
        secret: secret(body.name, [['id-demo', 'db']]),
        created: true,
        message: ''
      })
    });
    await openChange(server);
    fireEvent.click(screen.getByTestId('value-scope-this-slot'));
    const name = screen.getByTestId('value-new-name') as HTMLInputElement;
    expect(name.value).toBe('Database password'); // prefilled
    fireEvent.change(name, { target: { value: 'warehouse' } });
    expect(screen.getByTestId('value-new-name-error').textContent).toMatch(/already used/);
    fireEvent.change(name, { target: { value: 'zero\u200bwidth' } });
    expect(screen.getByTestId('value-new-name-error').textContent).toMatch(/U\+200B/);
    fireEvent.change(name, { target: { value: 'Reporting DB' } });
    fireEvent.click(screen.getByTestId('value-submit'));
    await waitFor(() => expect(screen.queryByTestId('value-form')).toBeNull());
    expect(server.bodyOf('PUT projects/id-demo/slots/db/value')).toEqual({
      value: 'n3w-value',
      name: 'Reporting DB'
    });
    expect(document.body.innerHTML).not.toContain('n3w-value');
  });

  it('asks nothing when the secret fills this slot alone', async () => {
    const alone = secret('solo', [['id-demo', 'db']]);
    const server = fakeServer({
      'GET projects': () =>
        project('demo', [
          slot('db', { state: 'provided', secret: { id: alone.id, name: alone.name } })
        ]),
      'GET user-secrets': () => ({ secrets: [alone] })
    });
    renderPanel(server);
    await act(() => server.model.setPath('demo'));
    fireEvent.click(within(card('db')).getByTestId('secrets-slot-provide'));
    await screen.findByTestId('value-form');
    expect(screen.queryByTestId('value-scope')).toBeNull();
  });

  it('prefills a free name', () => {
    const taken = [secret('Token'), secret('Token (2)')] as IUserSecret[];
    expect(freeSecretName('Token', taken)).toBe('Token (3)');
    expect(freeSecretName('API', taken)).toBe('API');
  });
});

describe('Projects inside projects', () => {
  it('says which project a folder belongs to and makes it its own project', async () => {
    const server = fakeServer({
      'GET projects': (_b, query) =>
        query?.path === 'team/app' && server.calls.includes('POST projects')
          ? project('team/app', [], { name: 'App' })
          : project('', [slot('root')], { id: 'id-root', name: 'Demo project' }),
      'POST projects': body => project(body.path, [], { name: body.name })
    });
    renderPanel(server);
    await act(() => server.model.setPath('team/app'));
    const note = await screen.findByTestId('secrets-belongs-to');
    expect(note.textContent).toContain(
      'This folder (/team/app) belongs to the project "Demo project" (/).'
    );
    fireEvent.click(within(note).getByTestId('secrets-make-project'));
    const nameInput = screen.getByTestId('secrets-project-name') as HTMLInputElement;
    expect(nameInput.value).toBe('app');
    fireEvent.change(nameInput, { target: { value: 'App' } });
    fireEvent.click(screen.getByTestId('secrets-project-create'));
    await waitFor(() =>
      expect(server.bodyOf('POST projects')).toEqual({ path: 'team/app', name: 'App' })
    );
    expect((await screen.findByTestId('secrets-commit-hint')).textContent).toContain(
      'team/app/.jupyter/secret-slots.json'
    );
  });
});

describe('Accessible names', () => {
  it('name the slot on every button of a card', async () => {
    const server = fakeServer({
      'GET projects': () =>
        project('demo', [
          slot('a', { name: 'Alpha', state: 'provided', secret: { id: 's', name: 's' } }),
          slot('b', { name: 'Beta', state: 'provided', secret: { id: 's', name: 's' } })
        ])
    });
    renderPanel(server);
    await act(() => server.model.setPath('demo'));
    await screen.findByTestId('secrets-slots');
    for (const name of ['Alpha', 'Beta']) {
      for (const label of [
        `Change the value of ${name}`,
        `Unlink ${name} from its secret`,
        `Edit the slot ${name}`,
        `Remove the slot ${name}`
      ]) {
        expect(screen.getAllByRole('button', { name: label })).toHaveLength(1);
      }
    }
  });
});
