/**
 * The forms of the User secrets view: add a secret, replace its value (and expiry), rename it.
 */
import * as React from 'react';

import type { IUserSecret, IUserSecretChanges } from '../apiTypes';
import { ActionButton, describedBy, ErrorMessage, Field } from '../components/common';
import { SecretInput, ValueInput } from '../components/valueInput';
import {
  dateInputFromExpires,
  errorsFor,
  expiresFromDateInput,
  FieldErrors,
  ITrans,
  usageLabels
} from '../format';
import { checkExpiryDate, checkName, firstExpiryDate } from '../ruleChecks';
import { ISecretsModel } from '../tokens';
import { isEmptyValue, valueBody } from '../values';

export function AddSecretForm(props: {
  model: ISecretsModel;
  trans: ITrans;
  onDone: () => void;
}): JSX.Element {
  const { model, trans } = props;
  const uid = React.useId();
  const [name, setName] = React.useState('');
  const [value, setValue] = React.useState<SecretInput>('');
  const [expires, setExpires] = React.useState('');
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (isEmptyValue(value)) {
      setErrors({ value: trans.__('Type a value.') });
      return;
    }
    const invalid = checkName(name) ?? undefined;
    const late = checkExpiryDate(expires);
    if (invalid || late) {
      setErrors({ ...(invalid ? { name: invalid } : {}), ...(late ? { expires: late } : {}) });
      return;
    }
    setBusy(true);
    try {
      await model.createUserSecret({
        name: name.trim(),
        ...valueBody(value),
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
      aria-label={trans.__('New secret')}
    >
      <Field
        id={`${uid}-name`}
        label={trans.__('Name')}
        error={errors.name}
        testId="new-secret-name"
      >
        <input
          id={`${uid}-name`}
          className="jp-mod-styled jp-secrets-Input"
          value={name}
          required
          autoFocus
          spellCheck={false}
          data-testid="new-secret-name"
          onChange={e => {
            setName(e.target.value);
            setErrors({ ...errors, name: checkName(e.target.value) ?? '' });
          }}
          {...describedBy(`${uid}-name`, errors.name)}
        />
      </Field>
      <Field
        id={`${uid}-value`}
        label={trans.__('Value')}
        error={errors.value}
        testId="new-secret-value"
      >
        <ValueInput
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
        <ActionButton kind="reject" onClick={props.onDone}>
          {trans.__('Cancel')}
        </ActionButton>
        <ActionButton kind="accept" type="submit" disabled={busy} testId="new-secret-submit">
          {trans.__('Save')}
        </ActionButton>
      </div>
    </form>
  );
}

export function EditSecretForm(props: {
  secret: IUserSecret;
  what: 'replace' | 'rename';
  model: ISecretsModel;
  trans: ITrans;
  onDone: () => void;
}): JSX.Element {
  const { secret, what, model, trans } = props;
  const uid = React.useId();
  const [name, setName] = React.useState(secret.name);
  const [value, setValue] = React.useState<SecretInput>('');
  const [expires, setExpires] = React.useState(dateInputFromExpires(secret.expires));
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const changes: IUserSecretChanges = {};
    if (what === 'rename') {
      if (name.trim() === secret.name) {
        props.onDone();
        return;
      }
      changes.name = name.trim();
    } else {
      if (isEmptyValue(value)) {
        setErrors({ value: trans.__('Type the new value.') });
        return;
      }
      Object.assign(changes, valueBody(value));
      const newExpires = expiresFromDateInput(expires);
      if (newExpires !== expiresFromDateInput(dateInputFromExpires(secret.expires))) {
        const late = checkExpiryDate(expires);
        if (late) {
          setErrors({ expires: late });
          return;
        }
        changes.expires = newExpires;
      }
    }
    setBusy(true);
    try {
      await model.updateUserSecret(secret.id, changes);
      setValue(''); // the notifications plugin tells the change (notify.ts)
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
        what === 'rename'
          ? trans.__('Rename %1', secret.name)
          : trans.__('Replace the value of %1', secret.name)
      }
    >
      {what === 'rename' ? (
        <Field
          id={`${uid}-name`}
          label={trans.__('New name')}
          error={errors.name}
          testId="rename-input"
        >
          <input
            id={`${uid}-name`}
            className="jp-mod-styled jp-secrets-Input"
            value={name}
            required
            autoFocus
            spellCheck={false}
            data-testid="rename-input"
            onChange={e => {
              setName(e.target.value);
              setErrors({ ...errors, name: checkName(e.target.value) ?? '' });
            }}
            {...describedBy(`${uid}-name`, errors.name)}
          />
        </Field>
      ) : (
        <>
          <ReplaceScope secret={secret} trans={trans} />
          <Field
            id={`${uid}-value`}
            label={trans.__('New value of %1', secret.name)}
            error={errors.value}
            testId="replace-value"
          >
            <ValueInput
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
        <ActionButton kind="reject" onClick={props.onDone}>
          {trans.__('Cancel')}
        </ActionButton>
        <ActionButton
          kind="accept"
          type="submit"
          disabled={busy}
          testId={what === 'rename' ? 'rename-submit' : 'replace-submit'}
        >
          {trans.__('Save')}
        </ActionButton>
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
  trans: ITrans;
}): JSX.Element {
  // Checked as the user picks (the server refuses an expiry in the past with a 400 too); a
  // stored expiry that has passed since is shown as it is until it is changed.
  const [initial] = React.useState(props.value);
  const error = props.error || (props.value !== initial ? checkExpiryDate(props.value) : undefined);
  return (
    <Field
      id={props.id}
      label={props.trans.__('Expires (optional)')}
      error={error}
      testId={props.testId}
    >
      <input
        id={props.id}
        className="jp-mod-styled jp-secrets-Input"
        type="date"
        min={firstExpiryDate()}
        value={props.value}
        data-testid={props.testId}
        onChange={e => props.onChange(e.target.value)}
        {...describedBy(props.id, error)}
      />
    </Field>
  );
}

/** What "Replace value" changes: the saved secret, so every slot that uses it follows. */
function ReplaceScope(props: { secret: IUserSecret; trans: ITrans }): JSX.Element {
  const { secret, trans } = props;
  const usages = usageLabels(secret, trans);
  return (
    <div className="jp-secrets-Hint" data-testid="replace-scope">
      {usages.length ? (
        <>
          {trans._n(
            'The new value goes to the slot that uses "%2":',
            'The new value goes to all %1 slots that use "%2":',
            usages.length,
            secret.name
          )}
          <ul className="jp-secrets-UsageList">
            {usages.map(u => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </>
      ) : (
        trans.__('"%1" is not used by any slot yet.', secret.name)
      )}
    </div>
  );
}
