/**
 * The "User secrets" view (main area): every saved secret, where it is used, dates and
 * expiry; add, replace the value, rename, delete. Rows are in `secretRow.tsx`, forms in
 * `secretForms.tsx`; the list is the model's (one list for the whole page).
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { ActionButton, ErrorMessage } from '../components/common';
import { useSignalValue } from '../components/hooks';
import { ITrans } from '../format';
import { ISecretsModel } from '../tokens';
import { AddReference } from '../references/referenceForm';
import { AddSecretForm } from './secretForms';
import { SecretRow } from './secretRow';

export class UserSecretsView extends ReactWidget {
  constructor(model: ISecretsModel, trans: ITrans) {
    super();
    this._model = model;
    this._trans = trans;
    this.addClass('jp-secrets-UserSecrets');
    this.node.dataset.testid = 'user-secrets-view';
  }

  /** Re-read the list (its errors are shown in the view). */
  refresh(): Promise<void> {
    return this._model.loadSecrets().then(
      () => undefined,
      () => undefined
    );
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.refresh();
  }

  render(): JSX.Element {
    return <SecretsTable model={this._model} trans={this._trans} refresh={() => this.refresh()} />;
  }

  private _model: ISecretsModel;
  private _trans: ITrans;
}

export function SecretsTable(props: {
  model: ISecretsModel;
  trans: ITrans;
  refresh: () => void;
}): JSX.Element {
  const { model, trans } = props;
  const { secrets, error } = useSignalValue(model.secretsChanged, () => ({
    secrets: model.secrets,
    error: model.secretsError
  }));
  const [adding, setAdding] = React.useState(false);
  const [editing, setEditing] = React.useState<{
    id: string;
    what: 'replace' | 'rename';
  } | null>(null);

  return (
    <div className="jp-secrets-UserSecretsBody">
      <header className="jp-secrets-ViewHeader">
        <h1 className="jp-secrets-Title">{trans.__('User secrets')}</h1>
        <p className="jp-secrets-Hint">
          {trans.__(
            'Your saved secrets, encrypted on your side. Values are never shown: you can only replace them.'
          )}
        </p>
        <div className="jp-secrets-Actions">
          <ActionButton kind="accept" testId="user-secret-add" onClick={() => setAdding(true)}>
            {trans.__('Add secret')}
          </ActionButton>
          <ActionButton testId="user-secrets-refresh" onClick={props.refresh}>
            {trans.__('Refresh')}
          </ActionButton>
        </div>
      </header>
      {adding && <AddSecretForm model={model} trans={trans} onDone={() => setAdding(false)} />}
      <AddReference model={model} trans={trans} />
      <ErrorMessage message={error} testId="user-secrets-error" />
      {secrets === null ? (
        <p className="jp-secrets-Empty">{trans.__('Loading…')}</p>
      ) : secrets.length === 0 ? (
        <p className="jp-secrets-Empty" data-testid="user-secrets-empty">
          {trans.__('No secrets saved yet.')}
        </p>
      ) : (
        <table className="jp-secrets-Table" data-testid="user-secrets-table">
          <thead>
            <tr>
              <th scope="col">{trans.__('Name')}</th>
              <th scope="col">{trans.__('Used in')}</th>
              <th scope="col">{trans.__('Created')}</th>
              <th scope="col">{trans.__('Modified')}</th>
              <th scope="col">{trans.__('Expires')}</th>
              <th scope="col">
                <span className="jp-secrets-VisuallyHidden">{trans.__('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {secrets.map(secret => (
              <SecretRow
                key={secret.id}
                secret={secret}
                model={model}
                trans={trans}
                editing={editing?.id === secret.id ? editing.what : null}
                setEditing={what => setEditing(what ? { id: secret.id, what } : null)}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
