/**
 * One slot in the panel, compact: its name and state on one line, its file (env, linked
 * secret) on the next, and its actions in one row — provide or change the value, unlink, and
 * icon buttons to edit and remove the slot. Every button's accessible name says which slot.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { deleteIcon, editIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ISlot } from '../apiTypes';
import { ActionButton } from '../components/common';
import { SlotForm } from '../components/slotForm';
import { ExpiryBadge } from '../expiry';
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
        <ExpiryBadge expiresSoon={slot.expires_soon} expires={slot.secret?.expires} trans={trans} />
        {mode === 'view' && (
          <span className="jp-secrets-SlotTools">
            <ActionButton
              icon
              testId="secrets-slot-edit"
              title={trans.__('Edit the slot')}
              ariaLabel={trans.__('Edit the slot %1', slot.name)}
              onClick={() => setMode('edit')}
            >
              <editIcon.react tag="span" elementSize="small" />
            </ActionButton>
            <ActionButton
              icon
              kind="warn"
              testId="secrets-slot-remove"
              title={trans.__('Remove the slot')}
              ariaLabel={trans.__('Remove the slot %1', slot.name)}
              onClick={() => void remove()}
            >
              <deleteIcon.react tag="span" elementSize="small" />
            </ActionButton>
          </span>
        )}
      </div>
      <div className="jp-secrets-SlotMeta">
        <code title={trans.__('File name')}>{slot.filename}</code>
        {slot.env && (
          <span title={trans.__('Environment variable')}>
            <span className="jp-secrets-MetaKey">{trans.__('env')}</span> <code>{slot.env}</code>
          </span>
        )}
        {slot.secret && (
          <span title={trans.__('Saved secret')}>
            <span className="jp-secrets-MetaKey">{trans.__('secret')}</span>{' '}
            <span data-testid="secrets-slot-secret">{slot.secret.name}</span>
          </span>
        )}
      </div>
      {slot.description && <div className="jp-secrets-SlotDescription">{slot.description}</div>}
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
            ariaLabel={
              slot.secret
                ? trans.__('Change the value of %1', slot.name)
                : trans.__('Provide a value for %1', slot.name)
            }
            onClick={() => setMode('provide')}
          >
            {slot.secret ? trans.__('Change value') : trans.__('Provide value')}
          </ActionButton>
          {slot.secret && (
            <ActionButton
              testId="secrets-slot-unlink"
              ariaLabel={trans.__('Unlink %1 from its secret', slot.name)}
              onClick={() => void unlink()}
            >
              {trans.__('Unlink')}
            </ActionButton>
          )}
        </div>
      )}
    </li>
  );
}
