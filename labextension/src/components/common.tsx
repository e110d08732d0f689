/**
 * Small React pieces shared by the panel, the launch dialog and the user secrets view.
 */
import * as React from 'react';

import { GENERAL, FieldErrors, IValueChoice, Translate } from './model';
import { IUserSecret } from './tokens';

let lastId = 0;

/** An id unique in the page, stable for the life of the component. */
export function useUid(prefix: string): string {
  const ref = React.useRef<string>('');
  if (!ref.current) {
    ref.current = `${prefix}-${++lastId}`;
  }
  return ref.current;
}

/** A labelled field with its error (from the server's `field`) right under it. */
export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  testId?: string;
  children: React.ReactNode;
}): JSX.Element {
  const { id, label, error, hint, testId, children } = props;
  return (
    <div className={`jp-secrets-Field${error ? ' jp-mod-error' : ''}`}>
      <label htmlFor={id} className="jp-secrets-Label">
        {label}
      </label>
      {children}
      {hint && !error && (
        <div className="jp-secrets-Hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div
          className="jp-secrets-FieldError"
          id={`${id}-error`}
          role="alert"
          data-testid={testId ? `${testId}-error` : undefined}
        >
          {error}
        </div>
      )}
    </div>
  );
}

/** `aria-*` attributes of an input tied to its `Field`. */
export function describedBy(
  id: string,
  error?: string,
  hint?: string
): { 'aria-invalid'?: boolean; 'aria-describedby'?: string } {
  if (error) {
    return { 'aria-invalid': true, 'aria-describedby': `${id}-error` };
  }
  return hint ? { 'aria-describedby': `${id}-hint` } : {};
}

/**
 * A value input: always `type=password`, with a toggle to reveal what is being typed.
 * It hides again as soon as the value is cleared (after saving), and nothing ever fills
 * it from the server.
 */
export function PasswordInput(props: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  trans: Translate;
  testId: string;
  error?: string;
  autoFocus?: boolean;
  disabled?: boolean;
  placeholder?: string;
  ariaLabel?: string;
}): JSX.Element {
  const { id, value, onChange, trans, testId, error } = props;
  const [revealed, setRevealed] = React.useState(false);
  React.useEffect(() => {
    if (!value) {
      setRevealed(false);
    }
  }, [value]);
  return (
    <div className="jp-secrets-Password">
      <input
        id={id}
        className="jp-mod-styled jp-secrets-Input"
        type={revealed ? 'text' : 'password'}
        value={value}
        autoComplete="new-password"
        spellCheck={false}
        autoFocus={props.autoFocus}
        disabled={props.disabled}
        placeholder={props.placeholder}
        aria-label={props.ariaLabel}
        data-testid={testId}
        onChange={e => onChange(e.target.value)}
        {...describedBy(id, error)}
      />
      <button
        type="button"
        className="jp-secrets-Reveal"
        aria-pressed={revealed}
        aria-controls={id}
        title={revealed ? trans('Hide the value') : trans('Show the value while typing')}
        data-testid={`${testId}-reveal`}
        disabled={props.disabled || !value}
        onClick={() => setRevealed(!revealed)}
      >
        {revealed ? trans('Hide') : trans('Show')}
      </button>
    </div>
  );
}

/** A push button with JupyterLab's look. */
export function Button(props: {
  kind?: 'accept' | 'reject' | 'warn' | 'plain';
  testId?: string;
  title?: string;
  type?: 'button' | 'submit';
  disabled?: boolean;
  onClick?: () => void;
  children: React.ReactNode;
}): JSX.Element {
  const kind = props.kind ?? 'plain';
  return (
    <button
      type={props.type ?? 'button'}
      className={`jp-secrets-Button jp-mod-${kind}`}
      title={props.title}
      disabled={props.disabled}
      data-testid={props.testId}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

/** A message that is not tied to a field. */
export function ErrorMessage(props: {
  errors?: FieldErrors;
  message?: string | null;
  testId?: string;
}): JSX.Element | null {
  const text = props.message ?? props.errors?.[GENERAL];
  if (!text) {
    return null;
  }
  return (
    <div className="jp-secrets-Error" role="alert" data-testid={props.testId}>
      {text}
    </div>
  );
}

/** A secret's label in a select: its name, and "(expired)" when it is. */
export function secretOptionLabel(secret: IUserSecret, trans: Translate): string {
  return secret.expired ? `${secret.name} ${trans('(expired)')}` : secret.name;
}

/**
 * "New value" / "Use an existing secret" (/ "Skip") for one slot, with the matching input.
 */
export function ValueChooser(props: {
  choice: IValueChoice;
  onChange: (choice: IValueChoice) => void;
  secrets: IUserSecret[] | null;
  trans: Translate;
  /** The slot's name, for labels. */
  slotName: string;
  allowSkip?: boolean;
  error?: string;
  disabled?: boolean;
  autoFocus?: boolean;
  testPrefix: string;
}): JSX.Element {
  const { choice, onChange, secrets, trans, slotName, testPrefix, error } = props;
  const uid = useUid('jp-secrets-value');
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
        aria-label={trans('How to fill %1', slotName)}
      >
        {radio('new', trans('New value'))}
        {radio('existing', trans('Use an existing secret'), noSecrets)}
        {props.allowSkip && radio('skip', trans('Skip'))}
      </div>
      {choice.mode === 'new' && (
        <PasswordInput
          id={`${uid}-input`}
          value={choice.value}
          onChange={value => onChange({ ...choice, value })}
          trans={trans}
          testId={`${testPrefix}-value`}
          ariaLabel={trans('New value of %1', slotName)}
          error={error}
          autoFocus={props.autoFocus}
          disabled={props.disabled}
        />
      )}
      {choice.mode === 'existing' && (
        <select
          className="jp-mod-styled jp-secrets-Select"
          value={choice.secretId}
          aria-label={trans('Existing secret for %1', slotName)}
          data-testid={`${testPrefix}-existing`}
          disabled={props.disabled || secrets === null}
          onChange={e => onChange({ ...choice, secretId: e.target.value })}
          {...describedBy(`${uid}-input`, error)}
        >
          <option value="">
            {secrets === null ? trans('Loading…') : trans('Choose a secret…')}
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
          id={`${uid}-input-error`}
          role="alert"
          data-testid={`${testPrefix}-error`}
        >
          {error}
        </div>
      )}
    </div>
  );
}
