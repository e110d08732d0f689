/**
 * One slot in the panel: its name, state, file and linked secret, and its actions (provide or
 * change the value, unlink, edit, remove).
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import type { ISlot } from '../apiTypes';
import { ActionButton } from '../components/common';
import { SlotForm } from '../components/slotForm';
import { ITrans, messageOf, stateBadge } from '../format';
import { ISecretsModel } from '../tokens';
import { ProvideForm } from './provideForm';

export function SlotItem(props: {
  slot: ISlot;
  projectId: string;
  model: ISecretsModel;
  trans: ITrans;
}): JSX.Element {
  const { slot, projectId, model, trans } = props;
  const [mode, setMode] = React.useState<'view' | 'edit' | 'provide'>('view');
  const badge = stateBadge(slot.state, trans);

  const remove = async () => {
    const result = await showDialog({
      title: trans.__('Remove slot "%1"?', slot.name),
      body: trans.__(
        'The slot is removed from the project file for everyone. Your secret itself stays in your secrets.'
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Remove') })
      ]
    });
    if (result.button.accept) {
      try {
        await model.removeSlot(projectId, slot.id);
      } catch (error) {
        Notification.error(trans.__('Cannot remove the slot: %1', messageOf(error)), {
          autoClose: 8000
        });
      }
    }
  };

  const unlink = async () => {
    try {
      await model.unlinkValue(projectId, slot.id); // told by notify.ts
    } catch (error) {
      Notification.error(trans.__('Cannot unlink: %1', messageOf(error)), { autoClose: 8000 });
    }
  };

  return (
    <li
      className={`jp-secrets-Slot jp-mod-${slot.state}`}
      data-testid="secrets-slot"
      data-slot-name={slot.name}
      data-state={slot.state}
    >
      <div className="jp-secrets-SlotHead">
        <span className="jp-secrets-SlotName">{slot.name}</span>
        <span
          className={`jp-secrets-Badge ${badge.className}`}
          title={badge.title}
          data-testid="secrets-slot-state"
        >
          {badge.label}
        </span>
      </div>
      {slot.description && <div className="jp-secrets-SlotDescription">{slot.description}</div>}
      <dl className="jp-secrets-SlotMeta">
        <dt>{trans.__('file')}</dt>
        <dd>
          <code>{slot.filename}</code>
        </dd>
        {slot.env && (
          <>
            <dt>{trans.__('env')}</dt>
            <dd>
              <code>{slot.env}</code>
            </dd>
          </>
        )}
        {slot.secret && (
          <>
            <dt>{trans.__('secret')}</dt>
            <dd data-testid="secrets-slot-secret">{slot.secret.name}</dd>
          </>
        )}
      </dl>
      {mode === 'edit' && (
        <SlotForm
          slot={slot}
          trans={trans}
          onCancel={() => setMode('view')}
          onSubmit={async body => {
            await model.updateSlot(projectId, slot.id, body);
            setMode('view');
          }}
        />
      )}
      {mode === 'provide' && (
        <ProvideForm
          slot={slot}
          projectId={projectId}
          model={model}
          trans={trans}
          onDone={() => setMode('view')}
        />
      )}
      {mode === 'view' && (
        <div className="jp-secrets-SlotActions">
          <ActionButton
            kind={slot.state === 'provided' ? 'plain' : 'accept'}
            testId="secrets-slot-provide"
            onClick={() => setMode('provide')}
          >
            {slot.secret ? trans.__('Change value') : trans.__('Provide value')}
          </ActionButton>
          {slot.secret && (
            <ActionButton testId="secrets-slot-unlink" onClick={() => void unlink()}>
              {trans.__('Unlink')}
            </ActionButton>
          )}
          <ActionButton testId="secrets-slot-edit" onClick={() => setMode('edit')}>
            {trans.__('Edit')}
          </ActionButton>
          <ActionButton kind="warn" testId="secrets-slot-remove" onClick={() => void remove()}>
            {trans.__('Remove')}
          </ActionButton>
        </div>
      )}
    </li>
  );
}
