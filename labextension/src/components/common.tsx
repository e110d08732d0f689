/**
 * Small React pieces shared by the panel, the launch dialog and the User secrets view:
 * labelled fields, the password input, buttons and messages.
 */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { FieldErrors, GENERAL, ITrans } from '../format';

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
  trans: ITrans;
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
        title={revealed ? trans.__('Hide the value') : trans.__('Show the value while typing')}
        data-testid={`${testId}-reveal`}
        disabled={props.disabled || !value}
        onClick={() => setRevealed(!revealed)}
      >
        {revealed ? trans.__('Hide') : trans.__('Show')}
      </button>
    </div>
  );
}

/** A small push button (`Button` of `@jupyterlab/ui-components`) in one of four looks. */
export function ActionButton(props: {
  kind?: 'accept' | 'reject' | 'warn' | 'plain';
  testId?: string;
  title?: string;
  type?: 'button' | 'submit';
  disabled?: boolean;
  onClick?: () => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <Button
      small
      type={props.type ?? 'button'}
      className={`jp-secrets-Button jp-mod-${props.kind ?? 'plain'}`}
      title={props.title}
      disabled={props.disabled}
      data-testid={props.testId}
      onClick={props.onClick}
    >
      {props.children}
    </Button>
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
