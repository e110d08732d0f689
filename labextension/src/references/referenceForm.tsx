/**
 * "Add a reference" in User secrets: a secret whose value stays in a vault, fetched when
 * kernels need it (README, "Values that stay in a vault"). A command (split into words as a
 * shell would, never run through one) or a Vault/OpenBao KV v2 field `MOUNT/PATH#FIELD`.
 * The reference is no value, but it says where the value lives: only its owner sees it.
 */
import * as React from 'react';

import type { INewUserSecret } from '../apiTypes';
import { ActionButton, describedBy, ErrorMessage, Field } from '../components/common';
import { errorsFor, FieldErrors, GENERAL, ITrans } from '../format';
import { checkName } from '../ruleChecks';
import { ISecretsModel } from '../tokens';

type Kind = 'command' | 'vault';
type Reference = NonNullable<INewUserSecret['reference']>;

/**
 * Words of a command line as a POSIX shell splits them (quotes '...' and "...", backslash
 * escapes), without expanding anything; null when a quote is not closed.
 */
export function splitWords(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") {
        quote = null;
      } else {
        word += ch;
      }
    } else if (quote === '"') {
      if (ch === '"') {
        quote = null;
      } else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) {
        word += text[++i];
      } else {
        word += ch;
      }
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) {
        words.push(word);
      }
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) {
    return null;
  }
  if (inWord) {
    words.push(word);
  }
  return words;
}

/** `MOUNT/PATH#FIELD` (e.g. `secret/team/db#password`), or null. */
export function parseVaultSpec(
  spec: string
): { mount: string; path: string; field: string } | null {
  const match = /^\/*([^/#]+)\/([^#]+?)\/*#(.+)$/.exec(spec.trim());
  return match ? { mount: match[1], path: match[2], field: match[3] } : null;
}

/** The `reference` of the API from the form's fields, or a message for the user. */
export function referenceBody(
  kind: Kind,
  fields: { command: string; vault: string; addr: string; ttl: string },
  trans: ITrans
): { reference?: Reference; error?: string } {
  const ttl = fields.ttl.trim() ? Number(fields.ttl) : 300;
  if (!Number.isInteger(ttl) || ttl < 1) {
    return { error: trans.__('The time to live is a whole number of seconds.') };
  }
  if (kind === 'command') {
    const argv = splitWords(fields.command);
    if (argv === null) {
      return { error: trans.__('A quote in the command is not closed.') };
    }
    if (!argv.length) {
      return { error: trans.__('Type the command that prints the value.') };
    }
    return { reference: { type: 'command', argv, ttl_seconds: ttl, timeout_seconds: 30 } };
  }
  const where = parseVaultSpec(fields.vault);
  if (!where) {
    return { error: trans.__('Write MOUNT/PATH#FIELD, e.g. secret/team/db#password.') };
  }
  const addr = fields.addr.trim();
  return {
    reference: {
      type: 'vault',
      ...where,
      ...(addr ? { addr } : {}),
      ttl_seconds: ttl,
      timeout_seconds: 30
    }
  };
}

/** The "Add a reference" button of User secrets, and its form when open. */
export function AddReference(props: { model: ISecretsModel; trans: ITrans }): JSX.Element {
  const { model, trans } = props;
  const [open, setOpen] = React.useState(false);
  if (!open) {
    return (
      <div className="jp-secrets-Actions">
        <ActionButton
          testId="user-secret-add-reference"
          title={trans.__('A secret whose value stays in a vault: a command, or Vault/OpenBao')}
          onClick={() => setOpen(true)}
        >
          {trans.__('Add reference')}
        </ActionButton>
      </div>
    );
  }
  return <ReferenceForm model={model} trans={trans} onDone={() => setOpen(false)} />;
}

function ReferenceForm(props: {
  model: ISecretsModel;
  trans: ITrans;
  onDone: () => void;
}): JSX.Element {
  const { model, trans } = props;
  const uid = React.useId();
  const [name, setName] = React.useState('');
  const [kind, setKind] = React.useState<Kind>('command');
  const [command, setCommand] = React.useState('');
  const [vault, setVault] = React.useState('');
  const [addr, setAddr] = React.useState('');
  const [ttl, setTtl] = React.useState('300');
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const invalid = checkName(name);
    if (invalid) {
      setErrors({ name: invalid });
      return;
    }
    const body = referenceBody(kind, { command, vault, addr, ttl }, trans);
    if (!body.reference) {
      setErrors({ [GENERAL]: body.error ?? '' });
      return;
    }
    setBusy(true);
    try {
      await model.createUserSecret({ name: name.trim(), reference: body.reference });
      props.onDone();
    } catch (error) {
      setErrors(errorsFor(error, ['name']));
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-secrets-Form jp-secrets-InlineForm"
      onSubmit={submit}
      data-testid="new-reference-form"
      aria-label={trans.__('New reference')}
    >
      <Field id={`${uid}-name`} label={trans.__('Name')} error={errors.name}>
        <input
          id={`${uid}-name`}
          className="jp-mod-styled jp-secrets-Input"
          value={name}
          required
          autoFocus
          spellCheck={false}
          data-testid="new-reference-name"
          onChange={e => setName(e.target.value)}
          {...describedBy(`${uid}-name`, errors.name)}
        />
      </Field>
      <Field id={`${uid}-kind`} label={trans.__('Fetched by')}>
        <select
          id={`${uid}-kind`}
          className="jp-mod-styled"
          value={kind}
          data-testid="new-reference-kind"
          onChange={e => setKind(e.target.value as Kind)}
        >
          <option value="command">{trans.__('a command (its output is the value)')}</option>
          <option value="vault">{trans.__('Vault or OpenBao (KV version 2)')}</option>
        </select>
      </Field>
      {kind === 'command' ? (
        <Field
          id={`${uid}-command`}
          label={trans.__('Command')}
          hint={trans.__(
            'Run as you, without a shell (write sh -c "..." for one), e.g. op read op://team/db/password'
          )}
        >
          <input
            id={`${uid}-command`}
            className="jp-mod-styled jp-secrets-Input"
            value={command}
            spellCheck={false}
            data-testid="new-reference-command"
            onChange={e => setCommand(e.target.value)}
            {...describedBy(`${uid}-command`, undefined, 'hint')}
          />
        </Field>
      ) : (
        <>
          <Field
            id={`${uid}-vault`}
            label={trans.__('MOUNT/PATH#FIELD')}
            hint={trans.__(
              'Read with your VAULT_TOKEN or ~/.vault-token, e.g. secret/team/db#password'
            )}
          >
            <input
              id={`${uid}-vault`}
              className="jp-mod-styled jp-secrets-Input"
              value={vault}
              spellCheck={false}
              data-testid="new-reference-vault"
              onChange={e => setVault(e.target.value)}
              {...describedBy(`${uid}-vault`, undefined, 'hint')}
            />
          </Field>
          <Field
            id={`${uid}-addr`}
            label={trans.__('Address (optional)')}
            hint={trans.__('Default: VAULT_ADDR of the server')}
          >
            <input
              id={`${uid}-addr`}
              className="jp-mod-styled jp-secrets-Input"
              value={addr}
              spellCheck={false}
              data-testid="new-reference-addr"
              onChange={e => setAddr(e.target.value)}
              {...describedBy(`${uid}-addr`, undefined, 'hint')}
            />
          </Field>
        </>
      )}
      <Field id={`${uid}-ttl`} label={trans.__('Fetched again after (seconds)')}>
        <input
          id={`${uid}-ttl`}
          className="jp-mod-styled jp-secrets-Input"
          value={ttl}
          inputMode="numeric"
          data-testid="new-reference-ttl"
          onChange={e => setTtl(e.target.value)}
        />
      </Field>
      <ErrorMessage errors={errors} testId="new-reference-error" />
      <div className="jp-secrets-FormButtons">
        <ActionButton kind="reject" onClick={props.onDone}>
          {trans.__('Cancel')}
        </ActionButton>
        <ActionButton kind="accept" type="submit" disabled={busy} testId="new-reference-submit">
          {trans.__('Save')}
        </ActionButton>
      </div>
    </form>
  );
}
