/**
 * The "User secrets" view (main area): every saved secret, where it is used, dates and
 * expiry; add, replace the value, rename, delete (the confirmation lists the usages).
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { SecretsClient } from './api';
import {
  Button,
  describedBy,
  ErrorMessage,
  Field,
  PasswordInput,
  useUid
} from './components';
import {
  dateInputFromExpires,
  errorsFor,
  expiresFromDateInput,
  FieldErrors,
  formatDate,
  messageOf,
  sortSecrets,
  Translate,
  usageLabels
} from './model';
import { IUserSecret } from './tokens';

export class UserSecretsView extends ReactWidget {
  constructor(client: SecretsClient, trans: TranslationBundle) {
    super();
    this._client = client;
    this._trans = trans.__.bind(trans);
    this.addClass('jp-secrets-UserSecrets');
    this.node.dataset.testid = 'user-secrets-view';
    client.changed.connect(() => void this.refresh(), this);
  }

  /** Reload the list. */
  async refresh(): Promise<void> {
    try {
      this._secrets = sortSecrets(await this._client.userSecrets());
      this._error = null;
    } catch (error) {
      this._error = messageOf(error);
    }
    this.update();
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
    return (
      <SecretsTable
        secrets={this._secrets}
        error={this._error}
        client={this._client}
        trans={this._trans}
        refresh={() => void this.refresh()}
      />
    );
  }

  private _client: SecretsClient;
  private _trans: Translate;
  private _secrets: IUserSecret[] | null = null;
  private _error: string | null = null;
}

function SecretsTable(props: {
  secrets: IUserSecret[] | null;
  error: string | null;
  client: SecretsClient;
  trans: Translate;
  refresh: () => void;
}): JSX.Element {
  const { secrets, client, trans } = props;
  const [adding, setAdding] = React.useState(false);
  const [editing, setEditing] = React.useState<{ id: string; what: 'replace' | 'rename' } | null>(
    null
  );

  const remove = async (secret: IUserSecret) => {
    const usages = usageLabels(secret, trans);
    const body = (
      <div data-testid="delete-confirmation">
        {usages.length ? (
          <>
            <p>{trans('These slots will be unlinked (they become missing):')}</p>
            <ul className="jp-secrets-UsageList" data-testid="delete-usage-list">
              {usages.map(u => (
                <li key={u}>{u}</li>
              ))}
            </ul>
          </>
        ) : (
          <p>{trans('This secret is not used by any project.')}</p>
        )}
        <p>{trans('This cannot be undone.')}</p>
      </div>
    );
    const result = await showDialog({
      title: trans('Delete secret "%1"?', secret.name),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans('Cancel') }),
        Dialog.warnButton({ label: trans('Delete') })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await client.deleteUserSecret(secret.id);
      Notification.success(trans('Deleted "%1".', secret.name), { autoClose: 4000 });
    } catch (error) {
      Notification.error(trans('Cannot delete "%1": %2', secret.name, messageOf(error)), {
        autoClose: 8000
      });
    }
  };

  return (
    <div className="jp-secrets-UserSecretsBody">
      <header className="jp-secrets-ViewHeader">
        <h1 className="jp-secrets-Title">{trans('User secrets')}</h1>
        <p className="jp-secrets-Hint">
          {trans(
            'Your saved secrets, encrypted on your side. Values are never shown: you can only replace them.'
          )}
        </p>
        <div className="jp-secrets-Actions">
          <Button kind="accept" testId="user-secret-add" onClick={() => setAdding(true)}>
            {trans('Add secret')}
          </Button>
          <Button testId="user-secrets-refresh" onClick={props.refresh}>
            {trans('Refresh')}
          </Button>
        </div>
      </header>
      {adding && (
        <AddSecretForm client={client} trans={trans} onDone={() => setAdding(false)} />
      )}
      <ErrorMessage message={props.error} testId="user-secrets-error" />
      {secrets === null ? (
        <p className="jp-secrets-Empty">{trans('Loading…')}</p>
      ) : secrets.length === 0 ? (
        <p className="jp-secrets-Empty" data-testid="user-secrets-empty">
          {trans('No secrets saved yet.')}
        </p>
      ) : (
        <table className="jp-secrets-Table" data-testid="user-secrets-table">
          <thead>
            <tr>
              <th scope="col">{trans('Name')}</th>
              <th scope="col">{trans('Used in')}</th>
              <th scope="col">{trans('Created')}</th>
              <th scope="col">{trans('Modified')}</th>
              <th scope="col">{trans('Expires')}</th>
              <th scope="col">
                <span className="jp-secrets-VisuallyHidden">{trans('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {secrets.map(secret => {
              const usages = usageLabels(secret, trans);
              const edit = editing?.id === secret.id ? editing.what : null;
              return (
                <React.Fragment key={secret.id}>
                  <tr
                    data-testid="user-secret-row"
                    data-secret-name={secret.name}
                    className={secret.expired ? 'jp-mod-expired' : undefined}
                  >
                    <th scope="row" className="jp-secrets-SecretName">
                      {secret.name}
                    </th>
                    <td data-testid="user-secret-usage">
                      {usages.length ? (
                        <ul className="jp-secrets-UsageList">
                          {usages.map(u => (
                            <li key={u}>{u}</li>
                          ))}
                        </ul>
                      ) : (
                        <span className="jp-secrets-Unused">{trans('unused')}</span>
                      )}
                    </td>
                    <td className="jp-secrets-Date">{formatDate(secret.created)}</td>
                    <td className="jp-secrets-Date">{formatDate(secret.modified)}</td>
                    <td className="jp-secrets-Date">
                      {secret.expires ? formatDate(secret.expires) : '—'}
                      {secret.expired && (
                        <span className="jp-secrets-Badge jp-secrets-Badge-expired">
                          {trans('expired')}
                        </span>
                      )}
                    </td>
                    <td className="jp-secrets-RowActions">
                      <Button
                        testId="user-secret-replace"
                        onClick={() => setEditing({ id: secret.id, what: 'replace' })}
                      >
                        {trans('Replace value')}
                      </Button>
                      <Button
                        testId="user-secret-rename"
                        onClick={() => setEditing({ id: secret.id, what: 'rename' })}
                      >
                        {trans('Rename')}
                      </Button>
                      <Button
                        kind="warn"
                        testId="user-secret-delete"
                        onClick={() => void remove(secret)}
                      >
                        {trans('Delete')}
                      </Button>
                    </td>
                  </tr>
                  {edit && (
                    <tr className="jp-secrets-EditRow">
                      <td colSpan={6}>
                        <EditSecretForm
                          secret={secret}
                          what={edit}
                          client={client}
                          trans={trans}
                          onDone={() => setEditing(null)}
                        />
                      </td>
                    </tr>
                  )}
                </React.Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AddSecretForm(props: {
  client: SecretsClient;
  trans: Translate;
  onDone: () => void;
}): JSX.Element {
  const { client, trans } = props;
  const uid = useUid('jp-secrets-new');
  const [name, setName] = React.useState('');
  const [value, setValue] = React.useState('');
  const [expires, setExpires] = React.useState('');
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!value) {
      setErrors({ value: trans('Type a value.') });
      return;
    }
    setBusy(true);
    try {
      await client.createUserSecret({
        name: name.trim(),
        value,
        expires: expiresFromDateInput(expires)
      });
      setValue('');
      props.onDone();
    } catch (error) {
      setErrors(errorsFor(error, ['name', 'value', 'expires']));
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-secrets-Form jp-secrets-InlineForm"
      onSubmit={submit}
      data-testid="new-secret-form"
      aria-label={trans('New secret')}
    >
      <Field id={`${uid}-name`} label={trans('Name')} error={errors.name} testId="new-secret-name">
        <input
          id={`${uid}-name`}
          className="jp-mod-styled jp-secrets-Input"
          value={name}
          required
          autoFocus
          spellCheck={false}
          data-testid="new-secret-name"
          onChange={e => setName(e.target.value)}
          {...describedBy(`${uid}-name`, errors.name)}
        />
      </Field>
      <Field id={`${uid}-value`} label={trans('Value')} error={errors.value} testId="new-secret-value">
        <PasswordInput
          id={`${uid}-value`}
          value={value}
          onChange={setValue}
          trans={trans}
          testId="new-secret-value"
          error={errors.value}
        />
      </Field>
      <ExpiryField
        id={`${uid}-expires`}
        value={expires}
        onChange={setExpires}
        error={errors.expires}
        testId="new-secret-expires"
        trans={trans}
      />
      <ErrorMessage errors={errors} testId="new-secret-error" />
      <div className="jp-secrets-FormButtons">
        <Button kind="reject" onClick={props.onDone}>
          {trans('Cancel')}
        </Button>
        <Button kind="accept" type="submit" disabled={busy} testId="new-secret-submit">
          {trans('Save')}
        </Button>
      </div>
    </form>
  );
}

function EditSecretForm(props: {
  secret: IUserSecret;
  what: 'replace' | 'rename';
  client: SecretsClient;
  trans: Translate;
  onDone: () => void;
}): JSX.Element {
  const { secret, what, client, trans } = props;
  const uid = useUid('jp-secrets-edit');
  const [name, setName] = React.useState(secret.name);
  const [value, setValue] = React.useState('');
  const [expires, setExpires] = React.useState(dateInputFromExpires(secret.expires));
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const changes: { name?: string; value?: string; expires?: string | null } = {};
    if (what === 'rename') {
      if (name.trim() === secret.name) {
        props.onDone();
        return;
      }
      changes.name = name.trim();
    } else {
      if (!value) {
        setErrors({ value: trans('Type the new value.') });
        return;
      }
      changes.value = value;
      const newExpires = expiresFromDateInput(expires);
      if (newExpires !== expiresFromDateInput(dateInputFromExpires(secret.expires))) {
        changes.expires = newExpires;
      }
    }
    setBusy(true);
    try {
      await client.updateUserSecret(secret.id, changes);
      setValue('');
      if (what === 'replace') {
        const n = secret.usage.length;
        Notification.success(
          n
            ? trans('Replaced the value of "%1"; %2 slot(s) follow.', secret.name, n)
            : trans('Replaced the value of "%1".', secret.name),
          { autoClose: 4000 }
        );
      }
      props.onDone();
    } catch (error) {
      setErrors(errorsFor(error, ['name', 'value', 'expires']));
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-secrets-Form jp-secrets-InlineForm"
      onSubmit={submit}
      data-testid={what === 'rename' ? 'rename-form' : 'replace-form'}
      aria-label={
        what === 'rename' ? trans('Rename %1', secret.name) : trans('Replace the value of %1', secret.name)
      }
    >
      {what === 'rename' ? (
        <Field id={`${uid}-name`} label={trans('New name')} error={errors.name} testId="rename-input">
          <input
            id={`${uid}-name`}
            className="jp-mod-styled jp-secrets-Input"
            value={name}
            required
            autoFocus
            spellCheck={false}
            data-testid="rename-input"
            onChange={e => setName(e.target.value)}
            {...describedBy(`${uid}-name`, errors.name)}
          />
        </Field>
      ) : (
        <>
          <Field
            id={`${uid}-value`}
            label={trans('New value of %1', secret.name)}
            error={errors.value}
            testId="replace-value"
          >
            <PasswordInput
              id={`${uid}-value`}
              value={value}
              onChange={setValue}
              trans={trans}
              testId="replace-value"
              error={errors.value}
              autoFocus
            />
          </Field>
          <ExpiryField
            id={`${uid}-expires`}
            value={expires}
            onChange={setExpires}
            error={errors.expires}
            testId="replace-expires"
            trans={trans}
          />
        </>
      )}
      <ErrorMessage errors={errors} testId="edit-secret-error" />
      <div className="jp-secrets-FormButtons">
        <Button kind="reject" onClick={props.onDone}>
          {trans('Cancel')}
        </Button>
        <Button
          kind="accept"
          type="submit"
          disabled={busy}
          testId={what === 'rename' ? 'rename-submit' : 'replace-submit'}
        >
          {trans('Save')}
        </Button>
      </div>
    </form>
  );
}

/** The optional expiry date of a secret (a date input), shared by the add and replace forms. */
function ExpiryField(props: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  testId: string;
  trans: (msg: string) => string;
}): JSX.Element {
  return (
    <Field
      id={props.id}
      label={props.trans('Expires (optional)')}
      error={props.error}
      testId={props.testId}
    >
      <input
        id={props.id}
        className="jp-mod-styled jp-secrets-Input"
        type="date"
        value={props.value}
        data-testid={props.testId}
        onChange={e => props.onChange(e.target.value)}
        {...describedBy(props.id, props.error)}
      />
    </Field>
  );
}
