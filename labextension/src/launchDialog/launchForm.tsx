/**
 * The launch dialog's form: one row per missing slot, "Later", "Save", "Don't ask at launch".
 */
import * as React from 'react';

import type { ISlot } from '../apiTypes';
import { useSignalValue } from '../components/hooks';
import { ValueChooser } from '../components/valueChooser';
import {
  EMPTY_CHOICE,
  IValueChoice,
  messageOf,
  missingSlots,
  projectTitle,
  provideBody
} from '../format';
import { notifyInfo, notifySuccess } from '../notify';
import type { ILaunchActions } from '../focus';
import type { ILaunchDialogOptions, ILaunchResult } from './launchDialog';

type RowState = { choice: IValueChoice; error?: string; saved?: boolean; elsewhere?: boolean };

/** How often an open dialog re-reads the project (a value given in the terminal ends its row). */
export const RECHECK_MS = 3000;

export function LaunchForm(
  props: ILaunchDialogOptions & {
    onClose: (result: ILaunchResult) => void;
    /** The dialog's keys: Escape is "Later", Enter is "Save". */
    registerActions?: (actions: ILaunchActions) => void;
    /** Called once the form is on the page (the dialog then sets the initial focus). */
    onMounted?: () => void;
  }
): JSX.Element {
  const { project, slots, model, trans, onClose, registerActions, onMounted } = props;
  const titleId = React.useId();
  const [rows, setRows] = React.useState<Record<string, RowState>>(() =>
    slots.reduce<Record<string, RowState>>((all, s) => {
      all[s.id] = { choice: { ...EMPTY_CHOICE } };
      return all;
    }, {})
  );
  const secrets = useSignalValue(model.secretsChanged, () => model.secrets);
  const [busy, setBusy] = React.useState(false);
  const [dontAsk, setDontAsk] = React.useState(false);

  React.useEffect(() => {
    // A failure leaves an empty list (`model.secrets`): new values can still be typed.
    model.loadSecrets().catch(() => undefined);
  }, [model]);

  const savedCount = () => Object.values(rows).filter(r => r.saved).length;

  const later = () =>
    onClose({ saved: savedCount(), skipped: slots.length - savedCount(), dontAsk });
  React.useEffect(() => {
    registerActions?.({ later, save: () => void save() });
  });
  // A value given elsewhere meanwhile (the terminal's launch prompt, another tab) ends that
  // row's question; when none is left, the dialog closes.
  const current = useSignalValue(model.projectChanged, () => model.project);
  React.useEffect(() => {
    if (!current || current.id !== project.id || busy) {
      return;
    }
    const stillMissing = new Set(missingSlots(current).map(s => s.id));
    const answered = slots.filter(s => !stillMissing.has(s.id) && !rows[s.id]?.saved);
    if (!answered.length) {
      return;
    }
    const next = { ...rows };
    for (const s of answered) {
      next[s.id] = { choice: { ...EMPTY_CHOICE, mode: 'skip' }, saved: true, elsewhere: true };
    }
    setRows(next);
    if (Object.values(next).every(r => r.saved)) {
      notifyInfo(
        trans.__('The missing secrets of %1 were provided.', projectTitle(project, trans))
      );
      const saved = Object.values(next).filter(r => r.saved && !r.elsewhere).length;
      onClose({ saved, skipped: 0, dontAsk });
    }
    // Only when the project changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current]);
  React.useEffect(() => {
    const timer = window.setInterval(() => void model.refreshProject(), RECHECK_MS);
    return () => window.clearInterval(timer);
  }, [model]);

  React.useEffect(() => {
    onMounted?.();
    // Once, after the first render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const setRow = (id: string, row: RowState) => setRows(prev => ({ ...prev, [id]: row }));

  const save = async () => {
    if (busy) {
      return;
    }
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
        // One summary below instead of a notification per slot.
        const reply = await model.provideValue(project.id!, slot.id, body!, { silent: true });
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
      notifyInfo(note);
    }
    if (!failed) {
      const saved = Object.values(next).filter(r => r.saved).length;
      if (saved) {
        notifySuccess(
          trans._n(
            'Saved %1 secret value for %2.',
            'Saved %1 secret values for %2.',
            saved,
            projectTitle(project, trans)
          )
        );
      }
      onClose({ saved, skipped: slots.length - saved, dontAsk });
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
        {trans.__('Secrets needed by %1', projectTitle(project, trans))}
      </div>
      <div className="jp-Dialog-body jp-secrets-LaunchBody">
        <p className="jp-secrets-Hint">
          {trans.__(
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
                  ({trans.__('file')} <code>{slot.filename}</code>)
                </span>
              </div>
              {row.saved ? (
                <div className="jp-secrets-Saved" data-testid="launch-saved">
                  {row.elsewhere ? trans.__('Provided meanwhile') : trans.__('Saved')}
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
          {trans.__("Don't ask at launch")}
        </label>
        <div className="jp-Dialog-footerButtons">
          <button
            type="button"
            className="jp-Dialog-button jp-mod-reject jp-mod-styled"
            data-testid="launch-later"
            onClick={later}
          >
            <div className="jp-Dialog-buttonLabel">{trans.__('Later')}</div>
          </button>
          <button
            type="button"
            className="jp-Dialog-button jp-mod-accept jp-mod-styled"
            data-testid="launch-save"
            disabled={busy}
            onClick={() => void save()}
          >
            <div className="jp-Dialog-buttonLabel">{trans.__('Save')}</div>
          </button>
        </div>
      </div>
    </div>
  );
}
