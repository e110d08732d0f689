/**
 * The panel's form to fill one slot: a new value, or one of this user's secrets.
 */
import * as React from 'react';

import type { ISlot } from '../apiTypes';
import { ActionButton } from '../components/common';
import { useSignalValue } from '../components/hooks';
import { ValueChooser } from '../components/valueChooser';
import { EMPTY_CHOICE, ITrans, IValueChoice, messageOf, provideBody } from '../format';
import { ISecretsModel } from '../tokens';

export function ProvideForm(props: {
  slot: ISlot;
  projectId: string;
  model: ISecretsModel;
  trans: ITrans;
  onDone: () => void;
}): JSX.Element {
  const { slot, projectId, model, trans, onDone } = props;
  const secrets = useSignalValue(model.secretsChanged, () => model.secrets);
  const [choice, setChoice] = React.useState<IValueChoice>(EMPTY_CHOICE);
  const [error, setError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);

  React.useEffect(() => {
    model.loadSecrets().catch(e => setError(messageOf(e)));
  }, [model]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const { body, error: incomplete } = provideBody(choice, trans);
    if (!body) {
      setError(incomplete);
      return;
    }
    setBusy(true);
    try {
      await model.provideValue(projectId, slot.id, body); // told by notify.ts
      setChoice(EMPTY_CHOICE); // the value leaves the page's state at once
      onDone();
    } catch (e) {
      setError(messageOf(e));
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
