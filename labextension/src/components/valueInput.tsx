/**
 * The value field of every form (the panel's provide form, the launch dialog, the User
 * secrets view): values of every shape.
 *
 * - one line, masked (`type=password`), with a toggle to show what is being typed;
 * - multi-line, masked too (SSH and TLS keys, service-account JSON, kubeconfigs, `.netrc`):
 *   a textarea whose newlines are kept exactly; pasting text with line breaks into the one-line
 *   input switches to it rather than losing them;
 * - "Load file…" (a picker) or a file dropped on the field: its exact bytes become the value,
 *   never displayed — the field shows the file's name and size only.
 *
 * Nothing ever fills it from the server; it hides again when the value is cleared (after saving).
 */
import * as React from 'react';

import { ITrans } from '../format';
import {
  fileValue,
  formatSize,
  IFileValue,
  MAX_FILE_BYTES,
  readFileBytes,
  SecretInput
} from '../values';
import { describedBy } from './common';

export type { SecretInput } from '../values';

/** Whether this browser masks a textarea (`-webkit-text-security`: Chromium, Safari). */
function masksTextareas(): boolean {
  return (
    typeof CSS !== 'undefined' &&
    typeof CSS.supports === 'function' &&
    CSS.supports('-webkit-text-security', 'disc')
  );
}

export function ValueInput(props: {
  id: string;
  value: SecretInput;
  onChange: (value: SecretInput) => void;
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
  const [multiline, setMultiline] = React.useState(
    typeof value === 'string' && /[\r\n]/.test(value)
  );
  const [dragging, setDragging] = React.useState(false);
  const [fileError, setFileError] = React.useState<string | null>(null);
  const picker = React.useRef<HTMLInputElement>(null);
  const text = typeof value === 'string' ? value : '';
  const file: IFileValue | null = typeof value === 'string' ? null : value;

  React.useEffect(() => {
    if (value === '') {
      setRevealed(false);
    }
  }, [value]);

  const load = async (files: FileList | null | undefined) => {
    const chosen = files?.[0];
    if (!chosen || props.disabled) {
      return;
    }
    if (chosen.size > MAX_FILE_BYTES) {
      setFileError(
        trans.__(
          '%1 is too large (%2): a secret holds at most %3.',
          chosen.name,
          formatSize(chosen.size),
          formatSize(MAX_FILE_BYTES)
        )
      );
      return;
    }
    try {
      const bytes = await readFileBytes(chosen);
      setFileError(null);
      onChange(fileValue(chosen.name, bytes));
    } catch {
      setFileError(trans.__('%1 could not be read.', chosen.name));
    }
  };

  const onPaste = (event: React.ClipboardEvent<HTMLInputElement>) => {
    const pasted = event.clipboardData?.getData('text') ?? '';
    if (!/[\r\n]/.test(pasted)) {
      return; // the input keeps one-line text as it is
    }
    // An <input> drops line breaks: keep them by switching to the multi-line field.
    event.preventDefault();
    const target = event.currentTarget;
    const start = target.selectionStart ?? text.length;
    const end = target.selectionEnd ?? text.length;
    setMultiline(true);
    onChange(text.slice(0, start) + pasted + text.slice(end));
  };

  const masked = !revealed;
  const common = {
    id,
    value: text,
    spellCheck: false,
    autoFocus: props.autoFocus,
    disabled: props.disabled,
    placeholder: props.placeholder,
    'aria-label': props.ariaLabel,
    'data-testid': testId,
    ...describedBy(id, error ?? fileError ?? undefined)
  };
  let field: JSX.Element;
  if (file) {
    field = (
      <div
        className="jp-secrets-Input jp-secrets-LoadedFile"
        id={id}
        role="status"
        aria-label={props.ariaLabel}
        data-testid={`${testId}-file`}
        data-kind={file.text !== undefined ? 'text' : 'binary'}
      >
        {file.text !== undefined
          ? trans.__(
              'Loaded %1 (%2, text): its content is not shown',
              file.name,
              formatSize(file.size)
            )
          : trans.__(
              'Loaded %1 (%2, binary): its content is not shown',
              file.name,
              formatSize(file.size)
            )}
      </div>
    );
  } else if (multiline) {
    const fallback = masked && !masksTextareas();
    field = (
      <textarea
        {...common}
        className={
          'jp-mod-styled jp-secrets-Input jp-secrets-Textarea' +
          (masked ? ' jp-mod-masked' : '') +
          (fallback ? ' jp-mod-masked-fallback' : '')
        }
        rows={6}
        autoComplete="off"
        wrap="off"
        data-masked={masked ? 'true' : 'false'}
        onChange={e => onChange(e.target.value)}
      />
    );
  } else {
    field = (
      <input
        {...common}
        className="jp-mod-styled jp-secrets-Input"
        type={revealed ? 'text' : 'password'}
        autoComplete="new-password"
        onPaste={onPaste}
        onChange={e => onChange(e.target.value)}
      />
    );
  }

  const button = (
    label: string,
    title: string,
    suffix: string,
    onClick: () => void,
    options: { pressed?: boolean; disabled?: boolean } = {}
  ) => (
    <button
      type="button"
      className="jp-secrets-Reveal"
      aria-pressed={options.pressed}
      aria-controls={id}
      title={title}
      data-testid={`${testId}-${suffix}`}
      disabled={props.disabled || options.disabled}
      onClick={onClick}
    >
      {label}
    </button>
  );

  return (
    <div
      className={`jp-secrets-ValueInput${dragging ? ' jp-mod-dropping' : ''}`}
      data-testid={`${testId}-drop`}
      onDragEnter={e => {
        if (e.dataTransfer?.types?.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragOver={e => {
        if (e.dataTransfer?.types?.includes('Files')) {
          e.preventDefault(); // allows the drop
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={e => {
        setDragging(false);
        if (e.dataTransfer?.files?.length) {
          e.preventDefault(); // never let the browser open the file
          void load(e.dataTransfer.files);
        }
      }}
    >
      <div className="jp-secrets-Password">
        {field}
        {file
          ? button(trans.__('Clear'), trans.__('Forget the loaded file'), 'clear', () =>
              onChange('')
            )
          : button(
              revealed ? trans.__('Hide') : trans.__('Show'),
              revealed ? trans.__('Hide the value') : trans.__('Show the value while typing'),
              'reveal',
              () => setRevealed(!revealed),
              { pressed: revealed, disabled: !text }
            )}
      </div>
      <div className="jp-secrets-ValueTools">
        {!file &&
          button(
            multiline ? trans.__('One line') : trans.__('Multi-line'),
            multiline
              ? trans.__('Type a one-line value')
              : trans.__('Type or paste a value of several lines (keys, JSON, config files)'),
            'multiline',
            () => setMultiline(!multiline),
            { pressed: multiline, disabled: multiline && /[\r\n]/.test(text) }
          )}
        {button(
          trans.__('Load file…'),
          trans.__('Use the content of a file (or drop a file here); it is not shown'),
          'load',
          () => picker.current?.click()
        )}
        <input
          ref={picker}
          type="file"
          hidden
          tabIndex={-1}
          aria-hidden="true"
          data-testid={`${testId}-file-input`}
          onChange={e => {
            void load(e.target.files);
            e.target.value = ''; // choosing the same file again loads it again
          }}
        />
      </div>
      {fileError && !error && (
        <div
          className="jp-secrets-FieldError"
          id={`${id}-error`}
          role="alert"
          data-testid={`${testId}-file-error`}
        >
          {fileError}
        </div>
      )}
    </div>
  );
}

/** The former name of `ValueInput` (its props are unchanged, its value may now be a file). */
export const PasswordInput = ValueInput;
