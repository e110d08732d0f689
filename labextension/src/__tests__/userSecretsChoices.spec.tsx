/**
 * @jest-environment jsdom
 *
 * The User secrets view of issue 13: "Replace value" says every slot that follows, buttons
 * name their secret, and an expiry in the past is refused as it is picked.
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { SecretsTable } from '../userSecrets/userSecretsView';
import { fakeServer, secret, trans } from './helpers';

async function renderView() {
  const server = fakeServer({
    'GET user-secrets': () => ({
      secrets: [
        secret('warehouse', [
          ['p1', 'Database password'],
          ['p2', 'Warehouse password']
        ]),
        secret('token')
      ]
    })
  });
  await server.model.loadSecrets();
  render(<SecretsTable model={server.model} trans={trans} refresh={() => undefined} />);
  await screen.findByTestId('user-secrets-table');
  return server;
}

describe('User secrets', () => {
  it('names the secret on each button', async () => {
    await renderView();
    for (const name of ['warehouse', 'token']) {
      for (const label of [`Replace the value of ${name}`, `Rename ${name}`, `Delete ${name}`]) {
        expect(screen.getAllByRole('button', { name: label })).toHaveLength(1);
      }
    }
  });

  it('says which slots follow a replaced value', async () => {
    await renderView();
    fireEvent.click(screen.getByRole('button', { name: 'Replace the value of warehouse' }));
    const scope = screen.getByTestId('replace-scope');
    expect(scope.textContent).toContain('The new value goes to all 2 slots that use "warehouse"');
    expect(
      within(scope)
        .getAllByRole('listitem')
        .map(li => li.textContent)
    ).toEqual(['Demo / Database password', 'Demo / Warehouse password']);
  });

  it('refuses an expiry in the past as it is picked, before any request', async () => {
    const server = await renderView();
    fireEvent.click(screen.getByTestId('user-secret-add'));
    fireEvent.change(screen.getByTestId('new-secret-name'), { target: { value: 'late' } });
    fireEvent.change(screen.getByTestId('new-secret-value'), { target: { value: 'v-1' } });
    fireEvent.change(screen.getByTestId('new-secret-expires'), {
      target: { value: '2001-01-01' }
    });
    expect(screen.getByTestId('new-secret-expires-error').textContent).toMatch(/in the past/);
    fireEvent.click(screen.getByTestId('new-secret-submit'));
    expect(server.calls.filter(c => c === 'POST user-secrets')).toHaveLength(0);
  });

  it('checks a name as it is typed', async () => {
    await renderView();
    fireEvent.click(screen.getByTestId('user-secret-add'));
    fireEvent.change(screen.getByTestId('new-secret-name'), {
      target: { value: 'bidi\u202eevil' }
    });
    expect(screen.getByTestId('new-secret-name-error').textContent).toMatch(/U\+202E/);
  });
});
