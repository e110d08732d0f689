/**
 * The panel's form to fill one slot: a new value, or one of this user's secrets.
 *
 * Changing the value of a slot whose saved secret also fills other slots asks where the new
 * value goes, in words (as Renku does): update the saved secret everywhere it is used (the
 * slots are listed; `PATCH /user-secrets/{id}`), or use a new secret for this slot only,
 * under a name the user can edit (`PUT .../value` with `name`). Nothing is chosen for them.
 */
import * as React from 'react';

import type { ISlot, IUserSecret, IUserSecretChanges } from '../apiTypes';
import { ActionButton, describedBy, Field } from '../components/common';
import { useSignalValue } from '../components/hooks';
import { ValueChooser } from '../components/valueChooser';
import { EMPTY_CHOICE, ITrans, IValueChoice, messageOf, provideBody, usageLabel } from '../format';
import { checkName } from '../ruleChecks';
import { ISecretsModel } from '../tokens';

/** Where a new value for a shared secret goes. */
export type ValueScope = 'everywhere' | 'this-slot';

/** The first name not used by another secret: `base`, then `base (2)`, ... */
export function freeSecretName(base: string, secrets: IUserSecret[] | null): string {
  const taken = new Set((secrets ?? []).map(s => s.name.trim().toLowerCase()));
  if (!taken.has(base.trim().toLowerCase())) {
    return base;
  }
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})`;
    if (!taken.has(candidate.toLowerCase())) {
      return candidate;
    }
  }
}

export function ProvideForm(props: {
  slot: ISlot;
  projectId: string;
  model: ISecretsModel;
  trans: ITrans;
  onDone: () => void;
}): JSX.Element {
  const { slot, projectId, model, trans, onDone } = props;
  const uid = React.useId();
  const secrets = useSignalValue(model.secretsChanged, () => model.secrets);
  const [choice, setChoice] = React.useState<IValueChoice>(EMPTY_CHOICE);
  const [scope, setScope] = React.useState<ValueScope | null>(null);
  const [newName, setNewName] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | undefined>();
  const [nameError, setNameError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);

  React.useEffect(() => {
    model.loadSecrets().catch(e => setError(messageOf(e)));
  }, [model]);

  // The saved secret of this slot, and every slot it fills (this one included).
  const current = slot.secret ? (secrets ?? []).find(s => s.id === slot.secret!.id) : undefined;
  const usages = current?.usage ?? [];
  const shared = choice.mode === 'new' && usages.length > 1;
  const name = newName ?? freeSecretName(slot.name, secrets);
  const keepHint = current ? trans.__('The other slots keep "%1".', current.name) : undefined;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const { body, error: incomplete } = provideBody(choice, trans);
    if (!body) {
      setError(incomplete);
      return;
    }
    if (shared && scope === null) {
      setError(trans.__('Choose where the new value goes.'));
      return;
    }
    if (shared && scope === 'this-slot') {
      const problem = checkName(name) ?? nameClash(name, secrets, trans);
      if (problem) {
        setNameError(problem);
        return;
      }
    }
    setBusy(true);
    try {
      if (shared && scope === 'everywhere') {
        await model.updateUserSecret(current!.id, body as IUserSecretChanges);
      } else if (shared && scope === 'this-slot') {
        await model.provideValue(projectId, slot.id, { ...body, name: name.trim() });
      } else {
        await model.provideValue(projectId, slot.id, body); // told by notify.ts
      }
      setChoice(EMPTY_CHOICE); // the value leaves the page's state at once
      onDone();
    } catch (e) {
      const message = messageOf(e);
      if (shared && scope === 'this-slot' && /name/i.test(message)) {
        setNameError(message);
      } else {
        setError(message);
      }
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-secrets-Form jp-secrets-ProvideForm"
      data-testid="value-form"
      onSubmit={submit}
      aria-label={trans.__('Value of %1', slot.name)}
    >
      <ValueChooser
        choice={choice}
        onChange={c => {
          setChoice(c);
          setError(undefined);
        }}
        secrets={secrets}
        trans={trans}
        slotName={slot.name}
        error={error}
        autoFocus
        testPrefix="value"
      />
      {shared && current && (
        <fieldset className="jp-secrets-Scope" data-testid="value-scope">
          <legend className="jp-secrets-Label">
            {trans._n(
              'The saved secret "%2" fills %1 slot. Where does the new value go?',
              'The saved secret "%2" fills %1 slots. Where does the new value go?',
              usages.length,
              current.name
            )}
          </legend>
          <label className="jp-secrets-Radio">
            <input
              type="radio"
              name={`${uid}-scope`}
              checked={scope === 'everywhere'}
              data-testid="value-scope-everywhere"
              onChange={() => {
                setScope('everywhere');
                setError(undefined);
              }}
            />
            {trans.__('Update "%1" everywhere it is used', current.name)}
          </label>
          <ul className="jp-secrets-UsageList" data-testid="value-scope-usages">
            {usages
              .map(u => usageLabel(u, trans))
              .sort((a, b) => a.localeCompare(b))
              .map(label => (
                <li key={label}>{label}</li>
              ))}
          </ul>
          <label className="jp-secrets-Radio">
            <input
              type="radio"
              name={`${uid}-scope`}
              checked={scope === 'this-slot'}
              data-testid="value-scope-this-slot"
              onChange={() => {
                setScope('this-slot');
                setError(undefined);
              }}
            />
            {trans.__('Use a new secret for "%1" only', slot.name)}
          </label>
          {scope === 'this-slot' && (
            <Field
              id={`${uid}-name`}
              label={trans.__('Name of the new secret')}
              error={nameError}
              hint={keepHint}
              testId="value-new-name"
            >
              <input
                id={`${uid}-name`}
                className="jp-mod-styled jp-secrets-Input"
                value={name}
                spellCheck={false}
                data-testid="value-new-name"
                onChange={e => {
                  setNewName(e.target.value);
                  setNameError(
                    checkName(e.target.value) ?? nameClash(e.target.value, secrets, trans)
                  );
                }}
                {...describedBy(`${uid}-name`, nameError, keepHint)}
              />
            </Field>
          )}
        </fieldset>
      )}
      <div className="jp-secrets-FormButtons">
        <ActionButton kind="reject" onClick={onDone} testId="value-cancel">
          {trans.__('Cancel')}
        </ActionButton>
        <ActionButton kind="accept" type="submit" disabled={busy} testId="value-submit">
          {trans.__('Save')}
        </ActionButton>
      </div>
    </form>
  );
}

/** "already used" when another secret has this name (the server also checks look-alikes). */
function nameClash(name: string, secrets: IUserSecret[] | null, trans: ITrans): string | undefined {
  const wanted = name.trim().normalize('NFC');
  const other = (secrets ?? []).find(s => s.name === wanted);
  return other ? trans.__('is already used by another secret: choose another name') : undefined;
}
