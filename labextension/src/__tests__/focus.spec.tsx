/**
 * @jest-environment jsdom
 *
 * Keyboard and focus: the launch dialog's modal behaviour (`ModalFocus` around the real
 * `LaunchForm`: initial focus, Tab and Shift+Tab wrap, focus taken away comes back, Escape is
 * "Later", Enter is "Save", not from a button nor a multi-line field) and the inline forms'
 * keys (`FormKeys`: Escape presses Cancel, the focus returns to the opener).
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import { FormKeys, ILaunchActions, ModalFocus, focusableIn } from '../focus';
import { LaunchForm } from '../launchDialog/launchForm';
import { fakeServer, project, slot, trans } from './helpers';

const SLOTS = [slot('db', { name: 'Database password' }), slot('api', { name: 'API token' })];

/** The real form inside a modal node, as `LaunchDialog` puts it on the page. */
function openDialog(routes: Parameters<typeof fakeServer>[0] = {}) {
  const server = fakeServer({ 'GET user-secrets': () => ({ secrets: [] }), ...routes });
  const outside = document.createElement('button');
  outside.textContent = 'page behind';
  document.body.appendChild(outside);
  outside.focus();
  const onClose = jest.fn();
  let actions: ILaunchActions | null = null;
  const modal = document.createElement('div');
  document.body.appendChild(modal);
  const focus = new ModalFocus(modal, {
    escape: () => actions?.later(),
    enter: () => actions?.save()
  });
  focus.attach();
  render(
    <LaunchForm
      project={project('demo', SLOTS, { name: 'Demo' })}
      slots={SLOTS}
      model={server.model}
      trans={trans}
      onClose={onClose}
      onMounted={() => focus.focusInitial()}
      registerActions={a => {
        actions = a;
      }}
    />,
    { container: modal }
  );
  const cleanup = () => {
    focus.detach();
    outside.remove();
    modal.remove();
  };
  return { server, modal, outside, onClose, cleanup };
}

function valueInputs(): HTMLInputElement[] {
  return screen.getAllByTestId('launch-value') as HTMLInputElement[];
}

function tab(shift = false) {
  const active = document.activeElement as HTMLElement;
  const notPrevented = fireEvent.keyDown(active, { key: 'Tab', shiftKey: shift });
  return notPrevented;
}

describe('Launch dialog: keyboard and focus', () => {
  it('takes the focus on the first value field when it opens', () => {
    const { cleanup } = openDialog();
    expect(document.activeElement).toBe(valueInputs()[0]);
    cleanup();
  });

  it('keeps Tab and Shift+Tab inside, wrapping at both ends', () => {
    const { modal, cleanup } = openDialog();
    const focusable = focusableIn(modal);
    expect(focusable.length).toBeGreaterThan(3);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    expect(last.dataset.testid).toBe('launch-save');

    last.focus();
    expect(tab()).toBe(false); // prevented: the browser does not leave the dialog
    expect(document.activeElement).toBe(first);
    expect(tab(true)).toBe(false);
    expect(document.activeElement).toBe(last);
    // In the middle, Tab is the browser's own move.
    valueInputs()[0].focus();
    expect(tab()).toBe(true);
    cleanup();
  });

  it('brings back focus that lands on the page behind', () => {
    const { outside, cleanup } = openDialog();
    const second = valueInputs()[1];
    second.focus();
    outside.focus(); // e.g. JupyterLab focusing the file browser once restored
    expect(document.activeElement).toBe(second);
    cleanup();
  });

  it('closes with "Later" on Escape', () => {
    const { onClose, cleanup } = openDialog();
    fireEvent.keyDown(valueInputs()[0], { key: 'Escape' });
    expect(onClose).toHaveBeenCalledWith({ saved: 0, skipped: 2, dontAsk: false });
    cleanup();
  });

  it('saves on Enter in a field, but Enter on a button presses that button', async () => {
    const { server, onClose, cleanup } = openDialog({
      'PUT projects/id-demo/slots/db/value': () => ({
        slot: slot('db', { state: 'provided' }),
        secret: { id: 's', name: 's' },
        created: false,
        message: ''
      })
    });
    fireEvent.click(screen.getAllByTestId('launch-choice-skip')[1]);
    fireEvent.change(valueInputs()[0], { target: { value: 'pw' } });
    // Enter on "Later" is not "Save".
    fireEvent.keyDown(screen.getByTestId('launch-later'), { key: 'Enter' });
    expect(server.calls.filter(c => c.startsWith('PUT'))).toEqual([]);

    fireEvent.keyDown(valueInputs()[0], { key: 'Enter' });
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onClose).toHaveBeenCalledWith({ saved: 1, skipped: 1, dontAsk: false });
    expect(server.bodyOf('PUT projects/id-demo/slots/db/value')).toEqual({ value: 'pw' });
    cleanup();
  });

  it('keeps Enter a new line in a multi-line field; Ctrl+Enter saves from there', () => {
    const modal = document.createElement('div');
    document.body.appendChild(modal);
    const area = document.createElement('textarea');
    modal.appendChild(area);
    const keys = { escape: jest.fn(), enter: jest.fn() };
    const focus = new ModalFocus(modal, keys);
    focus.attach();
    expect(fireEvent.keyDown(area, { key: 'Enter' })).toBe(true);
    expect(keys.enter).not.toHaveBeenCalled();
    fireEvent.keyDown(area, { key: 'Enter', ctrlKey: true });
    expect(keys.enter).toHaveBeenCalledTimes(1);
    focus.detach();
    modal.remove();
  });
});

/** A card with an opener that swaps itself for a form, as the panel's slot cards do. */
function Card(props: { name: string }): JSX.Element {
  const [open, setOpen] = React.useState(false);
  const [linked, setLinked] = React.useState(true);
  return (
    <li data-slot-name={props.name}>
      {open ? (
        <form onSubmit={e => (e.preventDefault(), setOpen(false))}>
          <input data-testid="value" autoFocus />
          <button type="button" className="jp-mod-reject" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="submit" data-testid="save">
            Save
          </button>
        </form>
      ) : (
        <div>
          <button type="button" data-testid="change" onClick={() => setOpen(true)}>
            Change value
          </button>
          {linked && (
            <button type="button" data-testid="unlink" onClick={() => setLinked(false)}>
              Unlink
            </button>
          )}
        </div>
      )}
    </li>
  );
}

describe('Inline forms: keyboard and focus', () => {
  function renderCards() {
    const host = document.createElement('div');
    document.body.appendChild(host);
    const keys = new FormKeys(host);
    keys.attach();
    render(
      <ul>
        <Card name="A" />
        <Card name="B" />
      </ul>,
      { container: host }
    );
    const inCard = (name: string, testId: string) =>
      host.querySelector<HTMLElement>(`[data-slot-name="${name}"] [data-testid="${testId}"]`);
    return { host, keys, inCard };
  }

  it('cancels a form on Escape and gives the focus back to its opener', async () => {
    const { host, keys, inCard } = renderCards();
    const opener = inCard('B', 'change')!;
    opener.focus();
    fireEvent.click(opener);
    expect(document.activeElement).toBe(inCard('B', 'value'));

    fireEvent.keyDown(inCard('B', 'value')!, { key: 'Escape' });
    expect(inCard('B', 'value')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(inCard('B', 'change')));
    keys.detach();
    host.remove();
  });

  it('gives the focus back to the opener after Save', async () => {
    const { host, keys, inCard } = renderCards();
    inCard('A', 'change')!.focus();
    fireEvent.click(inCard('A', 'change')!);
    act(() => {
      fireEvent.submit(inCard('A', 'save')!.closest('form')!);
    });
    await waitFor(() => expect(document.activeElement).toBe(inCard('A', 'change')));
    keys.detach();
    host.remove();
  });

  it('moves the focus to the same card when its button goes away (Unlink)', async () => {
    const { host, keys, inCard } = renderCards();
    inCard('B', 'unlink')!.focus();
    fireEvent.click(inCard('B', 'unlink')!);
    expect(inCard('B', 'unlink')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(inCard('B', 'change')));
    keys.detach();
    host.remove();
  });
});
