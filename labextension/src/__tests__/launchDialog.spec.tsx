/**
 * @jest-environment jsdom
 *
 * The launch dialog's form: one row per missing slot; incomplete rows are flagged, saved rows
 * are marked, a failed row keeps the dialog open, and the result says what happened.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import * as React from 'react';

import { LaunchForm } from '../launchDialog/launchForm';
import { apiError, fakeServer, project, secret, slot, trans } from './helpers';

const SLOTS = [
  slot('db', { name: 'Database password' }),
  slot('api', { name: 'API token' }),
  slot('ssh', { name: 'SSH key' })
];

function row(name: string): HTMLElement {
  return screen
    .getAllByTestId('launch-slot')
    .find(el => el.getAttribute('data-slot-name') === name) as HTMLElement;
}

function renderDialog(server: ReturnType<typeof fakeServer>) {
  const onClose = jest.fn();
  const demo = project('demo', SLOTS, { name: 'Demo' });
  render(
    <LaunchForm project={demo} slots={SLOTS} model={server.model} trans={trans} onClose={onClose} />
  );
  return { onClose };
}

const reply = (id: string) => ({
  slot: slot(id, { state: 'provided' }),
  secret: secret(id),
  created: false,
  message: ''
});

describe('Launch dialog', () => {
  it('saves new values and existing secrets, skips the rest, and says so', async () => {
    const server = fakeServer({
      'GET user-secrets': () => ({ secrets: [secret('shared')] }),
      'PUT projects/id-demo/slots/db/value': () => reply('db'),
      'PUT projects/id-demo/slots/api/value': () => reply('api')
    });
    const { onClose } = renderDialog(server);
    expect(screen.getByRole('dialog').textContent).toContain('Secrets needed by Demo');
    expect(screen.getAllByTestId('launch-slot')).toHaveLength(3);

    fireEvent.change(within(row('Database password')).getByTestId('launch-value'), {
      target: { value: 'pw' }
    });
    fireEvent.click(within(row('API token')).getByTestId('launch-choice-existing'));
    await waitFor(() =>
      expect(within(row('API token')).getByTestId('launch-existing').textContent).toContain(
        'shared'
      )
    );
    fireEvent.change(within(row('API token')).getByTestId('launch-existing'), {
      target: { value: 'sec-shared' }
    });
    fireEvent.click(within(row('SSH key')).getByTestId('launch-choice-skip'));
    fireEvent.click(screen.getByTestId('launch-dont-ask'));
    fireEvent.click(screen.getByTestId('launch-save'));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onClose).toHaveBeenCalledWith({ saved: 2, skipped: 1, dontAsk: true });
    expect(server.bodyOf('PUT projects/id-demo/slots/db/value')).toEqual({ value: 'pw' });
    expect(server.bodyOf('PUT projects/id-demo/slots/api/value')).toEqual({
      secret_id: 'sec-shared'
    });
    expect(server.calls).not.toContain('PUT projects/id-demo/slots/ssh/value');
  });

  it('flags incomplete rows before sending anything', async () => {
    const server = fakeServer({ 'GET user-secrets': () => ({ secrets: [] }) });
    const { onClose } = renderDialog(server);
    await act(() => server.model.loadSecrets());
    // No secret saved yet: "use an existing secret" cannot be chosen.
    expect(
      (within(row('API token')).getByTestId('launch-choice-existing') as HTMLInputElement).disabled
    ).toBe(true);
    fireEvent.click(screen.getByTestId('launch-save'));
    expect(within(row('Database password')).getByTestId('launch-error').textContent).toBe(
      'Type a value, or skip this slot.'
    );
    expect(server.calls.filter(c => c.startsWith('PUT'))).toEqual([]);
    expect(onClose).not.toHaveBeenCalled();
  });

  it('keeps the dialog open on a failed row, the saved ones marked', async () => {
    const server = fakeServer({
      'GET user-secrets': () => ({ secrets: [] }),
      'PUT projects/id-demo/slots/db/value': () => reply('db'),
      'PUT projects/id-demo/slots/api/value': () => {
        throw apiError(503, 'The secrets store is locked.');
      }
    });
    const { onClose } = renderDialog(server);
    fireEvent.change(within(row('Database password')).getByTestId('launch-value'), {
      target: { value: 'pw' }
    });
    fireEvent.change(within(row('API token')).getByTestId('launch-value'), {
      target: { value: 'tok' }
    });
    fireEvent.click(within(row('SSH key')).getByTestId('launch-choice-skip'));
    fireEvent.click(screen.getByTestId('launch-save'));

    await within(row('Database password')).findByTestId('launch-saved');
    expect(within(row('API token')).getByTestId('launch-error').textContent).toBe(
      'The secrets store is locked.'
    );
    expect(onClose).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId('launch-later'));
    expect(onClose).toHaveBeenCalledWith({ saved: 1, skipped: 2, dontAsk: false });
  });
});

describe('Launch dialog: answers given elsewhere', () => {
  it('ends the rows filled meanwhile (the terminal prompt), and closes when none is left', async () => {
    let states: Array<'missing' | 'provided'> = ['missing', 'missing', 'missing'];
    const server = fakeServer({
      'GET user-secrets': () => ({ secrets: [] }),
      'GET projects': () =>
        project(
          'demo',
          SLOTS.map((s, i) => ({ ...s, state: states[i] })),
          { name: 'Demo' }
        )
    });
    const { onClose } = renderDialog(server);
    states = ['provided', 'missing', 'missing'];
    await act(() => server.model.refreshProject());
    expect(within(row('Database password')).getByTestId('launch-saved').textContent).toBe(
      'Provided meanwhile'
    );
    expect(within(row('API token')).queryByTestId('launch-saved')).toBeNull();
    expect(onClose).not.toHaveBeenCalled();

    states = ['provided', 'provided', 'provided'];
    await act(() => server.model.refreshProject());
    expect(onClose).toHaveBeenCalledWith({ saved: 0, skipped: 0, dontAsk: false });
  });
});
