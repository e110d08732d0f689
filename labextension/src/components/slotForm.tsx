/**
 * Add or edit a slot. The server validates; its message is shown next to the field it names.
 */
import * as React from 'react';

import type { ISlot, ISlotPatch } from '../apiTypes';
import {
  draftOf,
  errorsFor,
  FieldErrors,
  ISlotDraft,
  ITrans,
  SLOT_FIELDS,
  slotBody,
  suggestFilename
} from '../format';
import { ActionButton, describedBy, ErrorMessage, Field } from './common';

export function SlotForm(props: {
  /** The slot edited; none to add one. */
  slot?: ISlot | null;
  trans: ITrans;
  /**
   * Send the body (for a new slot, every field: an `ISlotInput`); throw the server's error
   * to show it.
   */
  onSubmit: (body: ISlotPatch) => Promise<void>;
  onCancel: () => void;
}): JSX.Element {
  const { slot, trans } = props;
  const uid = React.useId();
  const [draft, setDraft] = React.useState<ISlotDraft>(() => draftOf(slot));
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);
  const [filenameTouched, setFilenameTouched] = React.useState(!!slot);

  const set = (key: keyof ISlotDraft, value: string) => {
    const next = { ...draft, [key]: value };
    if (key === 'name' && !filenameTouched) {
      next.filename = suggestFilename(value);
    }
    if (key === 'filename') {
      setFilenameTouched(true);
    }
    setDraft(next);
    if (errors[key]) {
      const rest = { ...errors };
      delete rest[key];
      setErrors(rest);
    }
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = slotBody(draft, slot);
    if (slot && Object.keys(body).length === 0) {
      props.onCancel();
      return;
    }
    setBusy(true);
    try {
      await props.onSubmit(body);
    } catch (error) {
      setErrors(errorsFor(error, SLOT_FIELDS));
      setBusy(false);
    }
  };

  const input = (
    key: keyof ISlotDraft,
    label: string,
    extra: React.InputHTMLAttributes<HTMLInputElement> = {},
    hint?: string
  ) => {
    const id = `${uid}-${key}`;
    return (
      <Field id={id} label={label} error={errors[key]} hint={hint} testId={`slot-field-${key}`}>
        <input
          id={id}
          className="jp-mod-styled jp-secrets-Input"
          type="text"
          value={draft[key] ?? ''}
          data-testid={`slot-field-${key}`}
          onChange={e => set(key, e.target.value)}
          spellCheck={false}
          {...describedBy(id, errors[key], hint)}
          {...extra}
        />
      </Field>
    );
  };

  return (
    <form
      className="jp-secrets-Form jp-secrets-SlotForm"
      data-testid="slot-form"
      onSubmit={submit}
      aria-label={slot ? trans.__('Edit slot %1', slot.name) : trans.__('New slot')}
    >
      {input('name', trans.__('Name'), { autoFocus: true, required: true, maxLength: 99 })}
      {input('description', trans.__('Description (optional)'), { maxLength: 500 })}
      {input(
        'filename',
        trans.__('File name'),
        { required: true, maxLength: 200 },
        trans.__('Letters, digits, _ . - (the file kernels read)')
      )}
      {input(
        'env',
        trans.__('Environment variable (optional)'),
        { placeholder: 'DB_PASSWORD' },
        trans.__('Also give kernels the value in this variable')
      )}
      {input(
        'env_file',
        trans.__('File path variable (optional)'),
        { placeholder: 'PGPASSFILE' },
        trans.__("Give kernels the path of the value's file in this variable (<ENV>_FILE)")
      )}
      <ErrorMessage errors={errors} testId="slot-error-general" />
      <div className="jp-secrets-FormButtons">
        <ActionButton kind="reject" onClick={props.onCancel} testId="slot-form-cancel">
          {trans.__('Cancel')}
        </ActionButton>
        <ActionButton kind="accept" type="submit" disabled={busy} testId="slot-form-submit">
          {slot ? trans.__('Save') : trans.__('Add slot')}
        </ActionButton>
      </div>
    </form>
  );
}
