/**
 * Small React pieces shared by the panel, the launch dialog and the User secrets view:
 * labelled fields, buttons and messages (the value field is `valueInput.tsx`).
 */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { FieldErrors, GENERAL } from '../format';

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

/** A small push button (`Button` of `@jupyterlab/ui-components`) in one of four looks. */
export function ActionButton(props: {
  kind?: 'accept' | 'reject' | 'warn' | 'plain';
  testId?: string;
  title?: string;
  /** The accessible name when the visible text is not enough ("Change value of <slot>"). */
  ariaLabel?: string;
  /** An icon-only button (its `ariaLabel` and `title` name it). */
  icon?: boolean;
  type?: 'button' | 'submit';
  disabled?: boolean;
  onClick?: () => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <Button
      small
      type={props.type ?? 'button'}
      className={`jp-secrets-Button jp-mod-${props.kind ?? 'plain'}${props.icon ? ' jp-mod-icon' : ''}`}
      title={props.title}
      aria-label={props.ariaLabel}
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
