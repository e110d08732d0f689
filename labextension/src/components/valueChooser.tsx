/**
 * "New value" / "Use an existing secret" (/ "Skip") for one slot, with the matching input:
 * the panel's provide form and each row of the launch dialog.
 */
import * as React from 'react';

import type { IUserSecret } from '../apiTypes';
import { expiringLabel } from '../expiry';
import { ITrans, IValueChoice } from '../format';
import { describedBy } from './common';
import { ValueInput } from './valueInput';

/** A secret's label in a select: its name, and "(expired)" or "(expires in 3 days)" when so. */
export function secretOptionLabel(secret: IUserSecret, trans: ITrans): string {
  return secret.expired ? trans.__('%1 (expired)', secret.name) : expiringLabel(secret, trans);
}

export function ValueChooser(props: {
  choice: IValueChoice;
  onChange: (choice: IValueChoice) => void;
  secrets: IUserSecret[] | null;
  trans: ITrans;
  /** The slot's name, for labels. */
  slotName: string;
  allowSkip?: boolean;
  error?: string;
  disabled?: boolean;
  autoFocus?: boolean;
  testPrefix: string;
}): JSX.Element {
  const { choice, onChange, secrets, trans, slotName, testPrefix, error } = props;
  const uid = React.useId();
  const inputId = `${uid}-input`;
  const radio = (mode: IValueChoice['mode'], label: string, disabled = false) => (
    <label className="jp-secrets-Radio">
      <input
        type="radio"
        name={uid}
        value={mode}
        checked={choice.mode === mode}
        disabled={props.disabled || disabled}
        data-testid={`${testPrefix}-choice-${mode}`}
        onChange={() => onChange({ ...choice, mode })}
      />
      {label}
    </label>
  );
  const noSecrets = secrets !== null && secrets.length === 0;
  return (
    <div className="jp-secrets-ValueChooser">
      <div
        className="jp-secrets-Choices"
        role="radiogroup"
        aria-label={trans.__('How to fill %1', slotName)}
      >
        {radio('new', trans.__('New value'))}
        {radio('existing', trans.__('Use an existing secret'), noSecrets)}
        {props.allowSkip && radio('skip', trans.__('Skip'))}
      </div>
      {choice.mode === 'new' && (
        <ValueInput
          id={inputId}
          value={choice.value}
          onChange={value => onChange({ ...choice, value })}
          trans={trans}
          testId={`${testPrefix}-value`}
          ariaLabel={trans.__('New value of %1', slotName)}
          error={error}
          autoFocus={props.autoFocus}
          disabled={props.disabled}
        />
      )}
      {choice.mode === 'existing' && (
        <select
          className="jp-mod-styled jp-secrets-Select"
          value={choice.secretId}
          aria-label={trans.__('Existing secret for %1', slotName)}
          data-testid={`${testPrefix}-existing`}
          disabled={props.disabled || secrets === null}
          onChange={e => onChange({ ...choice, secretId: e.target.value })}
          {...describedBy(inputId, error)}
        >
          <option value="">
            {secrets === null ? trans.__('Loading…') : trans.__('Choose a secret…')}
          </option>
          {(secrets ?? []).map(s => (
            <option key={s.id} value={s.id}>
              {secretOptionLabel(s, trans)}
            </option>
          ))}
        </select>
      )}
      {error && (
        <div
          className="jp-secrets-FieldError"
          id={`${inputId}-error`}
          role="alert"
          data-testid={`${testPrefix}-error`}
        >
          {error}
        </div>
      )}
    </div>
  );
}
