/**
 * The launch dialog: one form listing the missing slots of a project, each with
 * "new value" / "use an existing secret" / "skip", saved all at once.
 *
 * It is its own small modal (with JupyterLab's dialog styles) rather than an apputils
 * `Dialog`, whose buttons always close it: here a failed slot keeps the dialog open with
 * its error, while the slots that were saved are marked so.
 */
import { Notification } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { PromiseDelegate } from '@lumino/coreutils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { SecretsClient } from './api';
import { ValueChooser, useUid } from './components';
import {
  EMPTY_CHOICE,
  IValueChoice,
  messageOf,
  projectTitle,
  provideBody,
  Translate
} from './model';
import { IProject, ISlot, IUserSecret } from './tokens';

/** How the dialog was closed. */
export interface ILaunchResult {
  /** Slots saved. */
  saved: number;
  /** Slots left without a value (skipped, or the dialog closed with "Later"). */
  skipped: number;
  /** "Don't ask at launch" was ticked. */
  dontAsk: boolean;
}

export interface ILaunchDialogOptions {
  project: IProject;
  slots: ISlot[];
  client: SecretsClient;
  trans: Translate;
  /** Loads this user's secrets for the selects. */
  loadSecrets: () => Promise<IUserSecret[]>;
}

export class LaunchDialog extends ReactWidget {
  constructor(options: ILaunchDialogOptions) {
    super();
    this._options = options;
    this.addClass('jp-Dialog');
    this.addClass('jp-ThemedContainer');
    this.addClass('jp-secrets-LaunchDialog');
    this.node.dataset.testid = 'launch-dialog';
  }

  /** Show the dialog; resolves when it closes. */
  launch(): Promise<ILaunchResult> {
    this._previousFocus = document.activeElement as HTMLElement | null;
    Widget.attach(this, document.body);
    return this._done.promise;
  }

  /** Close the dialog with a result. */
  finish(result: ILaunchResult): void {
    if (this.isDisposed) {
      return;
    }
    this._done.resolve(result);
    this.dispose();
    this._previousFocus?.focus?.();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('keydown', this._onKeydown);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('keydown', this._onKeydown);
    super.onBeforeDetach(msg);
  }

  render(): JSX.Element {
    return (
      <LaunchForm
        {...this._options}
        onClose={(result: ILaunchResult) => this.finish(result)}
        registerEscape={handler => {
          this._escape = handler;
        }}
      />
    );
  }

  private _onKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this._escape?.();
    } else if (event.key === 'Tab') {
      // Keep the focus inside the dialog.
      const focusable = Array.from(
        this.node.querySelectorAll<HTMLElement>(
          'input:not([disabled]), select:not([disabled]), button:not([disabled])'
        )
      );
      if (!focusable.length) {
        return;
      }
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  private _options: ILaunchDialogOptions;
  private _done = new PromiseDelegate<ILaunchResult>();
  private _escape: (() => void) | null = null;
  private _previousFocus: HTMLElement | null = null;
}

type RowState = { choice: IValueChoice; error?: string; saved?: boolean };

function LaunchForm(
  props: ILaunchDialogOptions & {
    onClose: (result: ILaunchResult) => void;
    registerEscape: (handler: () => void) => void;
  }
): JSX.Element {
  const { project, slots, client, trans } = props;
  const titleId = useUid('jp-secrets-launch-title');
  const [rows, setRows] = React.useState<Record<string, RowState>>(() =>
    slots.reduce<Record<string, RowState>>((all, s) => {
      all[s.id] = { choice: { ...EMPTY_CHOICE } };
      return all;
    }, {})
  );
  const [secrets, setSecrets] = React.useState<IUserSecret[] | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [dontAsk, setDontAsk] = React.useState(false);

  React.useEffect(() => {
    props
      .loadSecrets()
      .then(setSecrets)
      .catch(() => setSecrets([]));
  }, []);

  const savedCount = () => Object.values(rows).filter(r => r.saved).length;

  const later = () =>
    props.onClose({ saved: savedCount(), skipped: slots.length - savedCount(), dontAsk });
  React.useEffect(() => {
    props.registerEscape(later);
  });

  const setRow = (id: string, row: RowState) => setRows(prev => ({ ...prev, [id]: row }));

  const save = async () => {
    const next: Record<string, RowState> = { ...rows };
    const todo: Array<[ISlot, ReturnType<typeof provideBody>['body']]> = [];
    let incomplete = false;
    for (const slot of slots) {
      const row = next[slot.id];
      if (row.saved) {
        continue;
      }
      const { skip, body, error } = provideBody(row.choice, trans);
      if (error) {
        next[slot.id] = { ...row, error };
        incomplete = true;
      } else if (!skip && body) {
        todo.push([slot, body]);
      }
    }
    if (incomplete) {
      setRows(next);
      return;
    }
    setBusy(true);
    let failed = 0;
    const notes: string[] = [];
    for (const [slot, body] of todo) {
      try {
        const reply = await client.provideValue(project.id!, slot.id, body!);
        if (reply.created && reply.message) {
          notes.push(reply.message);
        }
        // The value leaves the page's state as soon as it is saved.
        next[slot.id] = { choice: { ...EMPTY_CHOICE, mode: 'skip' }, saved: true };
      } catch (error) {
        failed++;
        next[slot.id] = { ...next[slot.id], error: messageOf(error) };
      }
    }
    setRows(next);
    setBusy(false);
    for (const note of notes) {
      Notification.info(note, { autoClose: 6000 });
    }
    if (!failed) {
      const saved = Object.values(next).filter(r => r.saved).length;
      if (saved) {
        Notification.success(
          trans('Saved %1 secret value(s) for %2.', saved, projectTitle(project, trans)),
          { autoClose: 4000 }
        );
      }
      props.onClose({ saved, skipped: slots.length - saved, dontAsk });
    }
  };

  return (
    <div
      className="jp-Dialog-content jp-secrets-LaunchContent"
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
    >
      <div className="jp-Dialog-header" id={titleId}>
        {trans('Secrets needed by %1', projectTitle(project, trans))}
      </div>
      <div className="jp-Dialog-body jp-secrets-LaunchBody">
        <p className="jp-secrets-Hint">
          {trans(
            'This project reads these secrets from files. Your values stay encrypted on your side and are never saved in notebooks.'
          )}
        </p>
        {slots.map((slot, index) => {
          const row = rows[slot.id];
          return (
            <fieldset
              key={slot.id}
              className={`jp-secrets-LaunchSlot${row.saved ? ' jp-mod-saved' : ''}`}
              data-testid="launch-slot"
              data-slot-name={slot.name}
            >
              <legend className="jp-secrets-SlotName">{slot.name}</legend>
              <div className="jp-secrets-SlotDescription">
                {slot.description}{' '}
                <span className="jp-secrets-Hint">
                  ({trans('file')} <code>{slot.filename}</code>)
                </span>
              </div>
              {row.saved ? (
                <div className="jp-secrets-Saved" data-testid="launch-saved">
                  {trans('Saved')}
                </div>
              ) : (
                <ValueChooser
                  choice={row.choice}
                  onChange={choice => setRow(slot.id, { choice })}
                  secrets={secrets}
                  trans={trans}
                  slotName={slot.name}
                  allowSkip
                  error={row.error}
                  disabled={busy}
                  autoFocus={index === 0}
                  testPrefix="launch"
                />
              )}
            </fieldset>
          );
        })}
      </div>
      <div className="jp-Dialog-footer jp-secrets-LaunchFooter">
        <label className="jp-secrets-DontAsk">
          <input
            type="checkbox"
            checked={dontAsk}
            data-testid="launch-dont-ask"
            onChange={e => setDontAsk(e.target.checked)}
          />
          {trans("Don't ask at launch")}
        </label>
        <div className="jp-Dialog-footerButtons">
          <button
            type="button"
            className="jp-Dialog-button jp-mod-reject jp-mod-styled"
            data-testid="launch-later"
            onClick={later}
          >
            <div className="jp-Dialog-buttonLabel">{trans('Later')}</div>
          </button>
          <button
            type="button"
            className="jp-Dialog-button jp-mod-accept jp-mod-styled"
            data-testid="launch-save"
            disabled={busy}
            onClick={() => void save()}
          >
            <div className="jp-Dialog-buttonLabel">{trans('Save')}</div>
          </button>
        </div>
      </div>
    </div>
  );
}
