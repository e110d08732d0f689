/**
 * One saved secret in the User secrets view: name, usages, dates, expiry, its actions, and
 * (under it) the replace or rename form. Deleting asks first, listing the usages.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import type { IUserSecret } from '../apiTypes';
import { ActionButton } from '../components/common';
import { ExpiryBadge } from '../expiry';
import { formatDate, ITrans, messageOf, usageLabels } from '../format';
import { ISecretsModel } from '../tokens';
import { ExtensionMark } from '../secretsManager/extensionMark';
import { ReferenceMark } from '../references/referenceMark';
import { EditSecretForm } from './secretForms';

type Edit = 'replace' | 'rename';

export function SecretRow(props: {
  secret: IUserSecret;
  model: ISecretsModel;
  trans: ITrans;
  editing: Edit | null;
  setEditing: (what: Edit | null) => void;
}): JSX.Element {
  const { secret, model, trans, editing, setEditing } = props;
  const usages = usageLabels(secret, trans);

  const remove = async () => {
    const result = await showDialog({
      title: trans.__('Delete secret "%1"?', secret.name),
      body: <DeleteConfirmation usages={usages} trans={trans} />,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await model.deleteUserSecret(secret.id); // told by notify.ts
    } catch (error) {
      Notification.error(trans.__('Cannot delete "%1": %2', secret.name, messageOf(error)), {
        autoClose: 8000
      });
    }
  };

  return (
    <>
      <tr
        data-testid="user-secret-row"
        data-secret-name={secret.name}
        className={secret.expired ? 'jp-mod-expired' : undefined}
      >
        <th scope="row" className="jp-secrets-SecretName">
          {secret.name} <ExtensionMark secret={secret} trans={trans} />{' '}
          <ReferenceMark secret={secret} trans={trans} />
        </th>
        <td data-testid="user-secret-usage" data-label={trans.__('Used in')}>
          {usages.length ? (
            <ul className="jp-secrets-UsageList">
              {usages.map(u => (
                <li key={u}>{u}</li>
              ))}
            </ul>
          ) : (
            <span className="jp-secrets-Unused">{trans.__('unused')}</span>
          )}
        </td>
        <td className="jp-secrets-Date" data-label={trans.__('Created')}>
          {formatDate(secret.created)}
        </td>
        <td className="jp-secrets-Date" data-label={trans.__('Modified')}>
          {formatDate(secret.modified)}
        </td>
        <td className="jp-secrets-Date" data-label={trans.__('Expires')}>
          {secret.expires ? formatDate(secret.expires) : '—'}
          {secret.expired && (
            <span className="jp-secrets-Badge jp-secrets-Badge-expired">{trans.__('expired')}</span>
          )}
          <ExpiryBadge expiresSoon={secret.expires_soon} expires={secret.expires} trans={trans} />
        </td>
        <td className="jp-secrets-RowActions">
          <ActionButton
            testId="user-secret-replace"
            ariaLabel={trans.__('Replace the value of %1', secret.name)}
            onClick={() => setEditing('replace')}
          >
            {trans.__('Replace value')}
          </ActionButton>
          {/* An extension secret's name is its manager key: the server refuses a rename. */}
          {!secret.namespace && (
            <ActionButton
              testId="user-secret-rename"
              ariaLabel={trans.__('Rename %1', secret.name)}
              onClick={() => setEditing('rename')}
            >
              {trans.__('Rename')}
            </ActionButton>
          )}
          <ActionButton
            kind="warn"
            testId="user-secret-delete"
            ariaLabel={trans.__('Delete %1', secret.name)}
            onClick={() => void remove()}
          >
            {trans.__('Delete')}
          </ActionButton>
        </td>
      </tr>
      {editing && (
        <tr className="jp-secrets-EditRow">
          <td colSpan={6}>
            <EditSecretForm
              secret={secret}
              what={editing}
              model={model}
              trans={trans}
              onDone={() => setEditing(null)}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/** The body of the delete confirmation: the slots that will lose their value. */
function DeleteConfirmation(props: { usages: string[]; trans: ITrans }): JSX.Element {
  const { usages, trans } = props;
  return (
    <div data-testid="delete-confirmation">
      {usages.length ? (
        <>
          <p>
            {trans._n(
              'This slot will be unlinked (it becomes missing):',
              'These slots will be unlinked (they become missing):',
              usages.length
            )}
          </p>
          <ul className="jp-secrets-UsageList" data-testid="delete-usage-list">
            {usages.map(u => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>{trans.__('This secret is not used by any project.')}</p>
      )}
      <p>{trans.__('This cannot be undone.')}</p>
    </div>
  );
}
