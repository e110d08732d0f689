/**
 * @jest-environment jsdom
 *
 * The Secrets panel's body against a real model over a fake server: states, notices, and
 * writes that update the view from their replies.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import * as React from 'react';

import { PanelBody } from '../panel/panel';
import { apiError, fakeServer, project, slot, trans } from './helpers';

function renderPanel(server: ReturnType<typeof fakeServer>) {
  const openUserSecrets = jest.fn();
  const askMissing = jest.fn();
  render(
    <PanelBody
      model={server.model}
      trans={trans}
      openUserSecrets={openUserSecrets}
      askMissing={askMissing}
    />
  );
  return { openUserSecrets, askMissing };
}

const slotRow = (name: string) =>
  screen
    .getAllByTestId('secrets-slot')
    .find(el => el.getAttribute('data-slot-name') === name) as HTMLElement;

describe('Secrets panel', () => {
  it('shows the slots, their states, the counts and the status notices', async () => {
    const server = fakeServer({
      'GET projects': () =>
        project('demo', [
          slot('db', { state: 'provided', secret: { id: 'x', name: 'warehouse' } }),
          slot('token')
        ]),
      'GET status': () => ({ locked: false, files_error: 'disk full', secrets_dir: '/s' })
    });
    const { askMissing } = renderPanel(server);
    await act(() => server.model.setPath('demo'));

    await screen.findByTestId('secrets-project');
    expect(screen.getByText('1 of 2 provided')).toBeTruthy();
    expect(slotRow('db').getAttribute('data-state')).toBe('provided');
    expect(within(slotRow('db')).getByTestId('secrets-slot-secret').textContent).toBe('warehouse');
    expect(slotRow('token').getAttribute('data-state')).toBe('missing');
    expect(screen.getByTestId('secrets-notice-files').textContent).toContain('disk full');
    fireEvent.click(screen.getByTestId('secrets-ask-missing'));
    expect(askMissing).toHaveBeenCalled();
  });

  it('adds a slot from the reply, without reading the project again', async () => {
    const server = fakeServer({
      'GET projects': () => project('demo'),
      'POST projects/id-demo/slots': body =>
        slot('s1', { name: body.name, filename: body.filename })
    });
    renderPanel(server);
    await act(() => server.model.setPath('demo'));

    fireEvent.click(await screen.findByTestId('secrets-add-slot'));
    fireEvent.change(screen.getByTestId('slot-field-name'), { target: { value: 'API token' } });
    // The file name follows the name until it is edited.
    expect((screen.getByTestId('slot-field-filename') as HTMLInputElement).value).toBe('api-token');
    fireEvent.click(screen.getByTestId('slot-form-submit'));

    await waitFor(() => expect(slotRow('API token')).toBeTruthy());
    expect(server.bodyOf('POST projects/id-demo/slots')).toEqual({
      name: 'API token',
      filename: 'api-token'
    });
    expect(screen.queryByTestId('slot-form')).toBeNull();
    expect(server.calls.filter(c => c === 'GET projects')).toHaveLength(1);
  });

  it("shows the server's message next to the field it names, and keeps the form", async () => {
    const server = fakeServer({
      'GET projects': () => project('demo'),
      'POST projects/id-demo/slots': () => {
        throw apiError(400, 'filename: only letters, digits and _ . - characters', 'filename');
      }
    });
    renderPanel(server);
    await act(() => server.model.setPath('demo'));
    fireEvent.click(await screen.findByTestId('secrets-add-slot'));
    fireEvent.change(screen.getByTestId('slot-field-name'), { target: { value: 'Bad' } });
    fireEvent.change(screen.getByTestId('slot-field-filename'), { target: { value: '../x' } });
    fireEvent.click(screen.getByTestId('slot-form-submit'));

    const error = await screen.findByTestId('slot-field-filename-error');
    expect(error.textContent).toBe('only letters, digits and _ . - characters');
    expect(screen.getByTestId('slot-field-filename').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByTestId('slot-field-filename') as HTMLInputElement).value).toBe('../x');
  });

  it('provides a value in a password input and never keeps it', async () => {
    const server = fakeServer({
      'GET projects': () => project('demo', [slot('db')]),
      'GET user-secrets': () => ({ secrets: [] }),
      'PUT projects/id-demo/slots/db/value': () => ({
        slot: slot('db', { state: 'provided', secret: { id: 'n', name: 'db' } }),
        secret: {
          id: 'n',
          name: 'db',
          created: '',
          modified: '',
          expires: null,
          expired: false,
          usage: []
        },
        created: true,
        message: ''
      })
    });
    renderPanel(server);
    await act(() => server.model.setPath('demo'));
    fireEvent.click(
      within(await screen.findByTestId('secrets-slots')).getByTestId('secrets-slot-provide')
    );

    const input = screen.getByTestId('value-value') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: 's3cret' } });
    fireEvent.click(screen.getByTestId('value-submit'));

    await waitFor(() => expect(slotRow('db').getAttribute('data-state')).toBe('provided'));
    expect(server.bodyOf('PUT projects/id-demo/slots/db/value')).toEqual({ value: 's3cret' });
    expect(screen.queryByTestId('value-form')).toBeNull();
    expect(document.body.innerHTML).not.toContain('s3cret');
  });

  it('offers to make a folder without project a project', async () => {
    const server = fakeServer({
      'GET projects': () => project('notes', [], { id: null, name: null, exists: false }),
      'POST projects': body => project(body.path, [], { name: body.name })
    });
    renderPanel(server);
    await act(() => server.model.setPath('notes'));

    fireEvent.click(await screen.findByTestId('secrets-make-project'));
    const name = screen.getByTestId('secrets-project-name') as HTMLInputElement;
    expect(name.value).toBe('notes');
    fireEvent.click(screen.getByTestId('secrets-project-create'));

    await screen.findByTestId('secrets-project');
    expect(server.bodyOf('POST projects')).toEqual({ path: 'notes', name: 'notes' });
  });
});
