/**
 * @jest-environment jsdom
 *
 * The User secrets view's table against a real model over a fake server: one list for the
 * page, updated from the replies of writes; the delete confirmation lists the usages.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import * as React from 'react';

import { showDialog } from '@jupyterlab/apputils';
import { SecretsTable } from '../userSecrets/userSecretsView';
import { fakeServer, secret, trans } from './helpers';

function rowOf(name: string): HTMLElement | undefined {
  return screen
    .queryAllByTestId('user-secret-row')
    .find(el => el.getAttribute('data-secret-name') === name);
}

async function renderView(routes: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer({
    'GET user-secrets': () => ({
      secrets: [secret('zeta'), secret('alpha', [['id-demo', 'db']], { expired: true })]
    }),
    ...routes
  });
  render(<SecretsTable model={server.model} trans={trans} refresh={() => undefined} />);
  await act(() => server.model.loadSecrets());
  return server;
}

const names = () =>
  screen.getAllByTestId('user-secret-row').map(r => r.getAttribute('data-secret-name'));

describe('User secrets view', () => {
  it('lists every secret by name, where it is used, and what expired', async () => {
    await renderView({});
    expect(names()).toEqual(['alpha', 'zeta']);
    expect(within(rowOf('alpha')!).getByTestId('user-secret-usage').textContent).toBe('Demo / db');
    expect(within(rowOf('zeta')!).getByTestId('user-secret-usage').textContent).toBe('unused');
    expect(rowOf('alpha')!.className).toContain('jp-mod-expired');
  });

  it('adds a secret from the reply, without reading the list again', async () => {
    const server = await renderView({ 'POST user-secrets': body => secret(body.name) });
    fireEvent.click(screen.getByTestId('user-secret-add'));
    fireEvent.change(screen.getByTestId('new-secret-name'), { target: { value: 'beta' } });
    fireEvent.change(screen.getByTestId('new-secret-value'), { target: { value: 'v' } });
    fireEvent.click(screen.getByTestId('new-secret-submit'));
    await waitFor(() => expect(names()).toEqual(['alpha', 'beta', 'zeta']));
    expect(server.bodyOf('POST user-secrets')).toEqual({ name: 'beta', value: 'v', expires: null });
    expect(server.calls.filter(c => c === 'GET user-secrets')).toHaveLength(1);
  });

  it('renames in place, and replaces a value without showing it', async () => {
    const server = await renderView({
      'PATCH user-secrets/sec-zeta': body => ({ ...secret('zeta'), ...body })
    });
    fireEvent.click(within(rowOf('zeta')!).getByTestId('user-secret-rename'));
    fireEvent.change(screen.getByTestId('rename-input'), { target: { value: 'omega' } });
    fireEvent.click(screen.getByTestId('rename-submit'));
    await waitFor(() => expect(names()).toEqual(['alpha', 'omega']));

    fireEvent.click(within(rowOf('omega')!).getByTestId('user-secret-replace'));
    const input = screen.getByTestId('replace-value') as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.value).toBe('');
    fireEvent.change(input, { target: { value: 'new-value' } });
    fireEvent.click(screen.getByTestId('replace-submit'));
    await waitFor(() => expect(screen.queryByTestId('replace-form')).toBeNull());
    expect(server.bodyOf('PATCH user-secrets/sec-zeta')).toEqual({ value: 'new-value' });
    expect(document.body.innerHTML).not.toContain('new-value');
  });

  it('deletes after a confirmation that lists the usages', async () => {
    const server = await renderView({ 'DELETE user-secrets/sec-alpha': () => undefined });
    fireEvent.click(within(rowOf('alpha')!).getByTestId('user-secret-delete'));
    await waitFor(() => expect(rowOf('alpha')).toBeUndefined());

    const options = (showDialog as jest.Mock).mock.calls[0][0];
    expect(options.title).toBe('Delete secret "alpha"?');
    render(options.body);
    expect(screen.getByTestId('delete-usage-list').textContent).toBe('Demo / db');
    expect(screen.getByTestId('delete-confirmation').textContent).toContain(
      'This slot will be unlinked'
    );
    expect(server.calls).toContain('DELETE user-secrets/sec-alpha');
  });
});
