/**
 * Pure helpers of the views: states, badges, usage labels, dates, error texts, request
 * bodies. No DOM and no JupyterLab runtime here, so that they are unit-tested cheaply.
 */
import type {
  IProject,
  ISlot,
  ISlotInput,
  ISlotPatch,
  IUsage,
  IUserSecret,
  SlotState
} from './apiTypes';
import { isEmptyValue, SecretInput, valueBody, ValueFields } from './values';

/**
 * What the views need of a translation bundle (`TranslationBundle` of
 * `@jupyterlab/translation` has it): `__` for a message, `_n` for one with a plural.
 */
export interface ITrans {
  __(msgid: string, ...args: any[]): string;
  _n(msgid: string, msgidPlural: string, n: number, ...args: any[]): string;
}

/** `%1`, `%2`… replaced by the arguments, as JupyterLab's bundles do. */
function format(msg: string, args: any[]): string {
  return args.reduce<string>((text, arg, i) => text.split(`%${i + 1}`).join(String(arg)), msg);
}

/** The bundle without translations (English, as written); the default of every helper. */
export const identityTrans: ITrans = {
  __: (msgid: string, ...args: any[]) => format(msgid, args),
  _n: (msgid: string, msgidPlural: string, n: number, ...args: any[]) =>
    format(n === 1 ? msgid : msgidPlural, [n, ...args])
};

export interface IBadge {
  /** Shown text. */
  label: string;
  /** CSS modifier class, `jp-secrets-Badge-<state>`. */
  className: string;
  /** A longer explanation (tooltip). */
  title: string;
}

/** The badge of a slot state. */
export function stateBadge(state: SlotState, trans: ITrans = identityTrans): IBadge {
  switch (state) {
    case 'provided':
      return {
        label: trans.__('provided'),
        className: 'jp-secrets-Badge-provided',
        title: trans.__('A value is provided; kernels can read it.')
      };
    case 'expired':
      return {
        label: trans.__('expired'),
        className: 'jp-secrets-Badge-expired',
        title: trans.__('The linked secret has expired: provide a new value.')
      };
    case 'unreadable':
      return {
        label: trans.__('unreadable'),
        className: 'jp-secrets-Badge-unreadable',
        title: trans.__('The linked secret cannot be decrypted (wrong key or tampered store).')
      };
    case 'fetch-failed':
      // A reference (a command or a vault field) whose last fetch failed; the secret's
      // `reference.fetch_error` says why.
      return {
        label: trans.__('fetch failed'),
        className: 'jp-secrets-Badge-unreadable',
        title: trans.__(
          'The value stays in a vault and could not be fetched: see the secret in User secrets.'
        )
      };
    case 'missing':
    default:
      return {
        label: trans.__('missing'),
        className: 'jp-secrets-Badge-missing',
        title: trans.__('No value yet: provide one.')
      };
  }
}

/**
 * Whether a slot in this state asks its user for a value: every state but "provided"
 * (missing, expired, unreadable). The server's rule (core/states.py `needs_value`), which the
 * terminal prompt and `jupyter secrets status` follow too.
 */
export function needsValue(state: SlotState): boolean {
  return state !== 'provided';
}

/** The slots that need a value (what the launch dialog asks for). */
export function missingSlots(project: IProject | null | undefined): ISlot[] {
  if (!project || !project.exists) {
    return [];
  }
  return project.slots.filter(slot => needsValue(slot.state));
}

/** Counts of slots per state. */
export function countStates(slots: ISlot[]): Record<SlotState, number> {
  const counts: Record<SlotState, number> = {
    provided: 0,
    missing: 0,
    expired: 0,
    unreadable: 0,
    'fetch-failed': 0
  };
  for (const slot of slots) {
    counts[slot.state] = (counts[slot.state] ?? 0) + 1;
  }
  return counts;
}

/** "Project / Slot" (the project named by its name, else its path, else "root"). */
export function usageLabel(usage: IUsage, trans: ITrans = identityTrans): string {
  const project = usage.project_name || usage.project_path || trans.__('(server root)');
  return trans.__('%1 / %2', project, usage.slot_name || usage.slot_id);
}

/** Where a secret is used: one label per usage, sorted, or `[]` when unused. */
export function usageLabels(
  secret: Pick<IUserSecret, 'usage'>,
  trans: ITrans = identityTrans
): string[] {
  return (secret.usage ?? []).map(u => usageLabel(u, trans)).sort((a, b) => a.localeCompare(b));
}

/** A date for humans (`''` for none, the input itself when it is not a date). */
export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}

/**
 * The value of an `<input type="date">` as the API's `expires` (`null` when empty).
 * A date alone means its midnight UTC on the server side.
 */
export function expiresFromDateInput(text: string): string | null {
  const trimmed = text.trim();
  return trimmed ? trimmed : null;
}

/** An `expires` date-time as the value of an `<input type="date">`. */
export function dateInputFromExpires(expires: string | null | undefined): string {
  if (!expires) {
    return '';
  }
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(expires);
  return match ? match[1] : '';
}

/** Error messages keyed by field; the ones without a field go to `_`. */
export type FieldErrors = Record<string, string>;

/** The general (not field-bound) message of a `FieldErrors`. */
export const GENERAL = '_';

/**
 * The text to show next to the field the server named: its message without the
 * leading "field: " the server puts in front.
 */
export function fieldMessage(error: { message: string; field: string | null }): string {
  const { message, field } = error;
  if (field && message.startsWith(`${field}: `)) {
    return message.slice(field.length + 2);
  }
  return message;
}

/**
 * Map an error to the form's fields: to `field` when the form has it, else to the
 * general slot `_`.
 */
export function errorsFor(error: unknown, fields: readonly string[]): FieldErrors {
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { message: string; field?: string | null };
    if (e.field && fields.includes(e.field)) {
      return { [e.field]: fieldMessage({ message: e.message, field: e.field }) };
    }
    return { [GENERAL]: String(e.message) };
  }
  return { [GENERAL]: String(error) };
}

/** The readable message of anything thrown. */
export function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/** The project's title: its name, else the folder, else "server root". */
export function projectTitle(
  project: Pick<IProject, 'name' | 'path'>,
  trans: ITrans = identityTrans
): string {
  if (project.name) {
    return project.name;
  }
  return project.path || trans.__('(server root)');
}

/** A folder name from an API path, for a default project name (`fallback` for the root). */
export function folderName(path: string, fallback: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1] : fallback;
}

/** Secrets sorted by name (case-insensitive). */
export function sortSecrets(secrets: IUserSecret[]): IUserSecret[] {
  return [...secrets].sort((a, b) =>
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })
  );
}

/** What the user chose for one slot (launch dialog rows and the provide form). */
export type Choice = 'new' | 'existing' | 'skip';

export interface IValueChoice {
  mode: Choice;
  /** The new value (mode `new`): typed text or a loaded file (`values.ts`); never shown back. */
  value: SecretInput;
  /** The chosen existing secret (mode `existing`). */
  secretId: string;
}

export const EMPTY_CHOICE: IValueChoice = { mode: 'new', value: '', secretId: '' };

/**
 * The body of `PUT .../value` for a choice: `{skip: true}`, `{body}`, or `{error}` when the
 * choice is incomplete.
 */
export function provideBody(
  choice: IValueChoice,
  trans: ITrans = identityTrans
): { skip?: true; body?: ValueFields | { secret_id: string }; error?: string } {
  switch (choice.mode) {
    case 'skip':
      return { skip: true };
    case 'existing':
      return choice.secretId
        ? { body: { secret_id: choice.secretId } }
        : { error: trans.__('Choose a secret, or skip this slot.') };
    case 'new':
    default:
      return !isEmptyValue(choice.value)
        ? { body: valueBody(choice.value) }
        : { error: trans.__('Type a value, or skip this slot.') };
  }
}

/** The editable fields of a slot, as the slot form holds them (strings). */
export interface ISlotDraft {
  name: string;
  description: string;
  filename: string;
  env: string;
  /** The variable that gets the path of the slot's file (`<ENV>_FILE`); '' or absent: none. */
  env_file?: string;
}

export const SLOT_FIELDS = ['name', 'description', 'filename', 'env', 'env_file'] as const;

export function draftOf(slot?: Partial<ISlot> | null): ISlotDraft {
  return {
    name: slot?.name ?? '',
    description: slot?.description ?? '',
    filename: slot?.filename ?? '',
    env: slot?.env ?? '',
    env_file: slot?.env_file ?? ''
  };
}

/**
 * The body to send for a slot draft: every field for a new slot (empty description and
 * env left out), only the changed ones for an edit (env `null` when cleared).
 */
export function slotBody(draft: ISlotDraft): ISlotInput;
export function slotBody(
  draft: ISlotDraft,
  original: Partial<ISlot> | null | undefined
): ISlotPatch;
export function slotBody(
  draft: ISlotDraft,
  original?: Partial<ISlot> | null
): ISlotInput | ISlotPatch {
  const clean: ISlotDraft = {
    name: draft.name.trim(),
    description: draft.description.trim(),
    filename: draft.filename.trim(),
    env: draft.env.trim(),
    env_file: (draft.env_file ?? '').trim()
  };
  if (!original) {
    const body: ISlotInput = { name: clean.name, filename: clean.filename };
    if (clean.description) {
      body.description = clean.description;
    }
    if (clean.env) {
      body.env = clean.env;
    }
    if (clean.env_file) {
      body.env_file = clean.env_file;
    }
    return body;
  }
  const before = draftOf(original);
  const body: ISlotPatch = {};
  for (const key of SLOT_FIELDS) {
    if (clean[key] !== before[key]) {
      if (key === 'env' || key === 'env_file') {
        body[key] = clean[key] || null; // cleared: no variable any more
      } else {
        body[key] = clean[key];
      }
    }
  }
  return body;
}

/** A filename suggestion from a slot name: "Database password" -> "database-password". */
export function suggestFilename(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 200);
}

/** The schema of the server's save-guard events (see jupyter_secrets/event_schemas). */
export const SAVE_GUARD_SCHEMA = 'https://events.jupyter.org/jupyter_secrets/save_guard/v1';

export interface ISaveGuardEvent {
  schema_id: string;
  path: string;
  action: 'redacted' | 'refused';
  slots: string[];
}

/** What to tell the user when the save guard acted on a file: names slots, never values. */
export function saveGuardMessage(event: ISaveGuardEvent, trans: ITrans = identityTrans): string {
  const slots = event.slots.join(', ');
  return event.action === 'refused'
    ? trans._n(
        '%2 was not saved: it contains the value of the secret slot %3. Clear the outputs that show it, then save again.',
        '%2 was not saved: it contains the values of the secret slots %3. Clear the outputs that show them, then save again.',
        event.slots.length,
        event.path,
        slots
      )
    : trans._n(
        'A secret value was redacted from %2 as it was saved (%3). The file on disk holds [REDACTED:…] instead, but the open editor still shows the value: clear that output (or reload the file from disk) before you share your screen or copy from it.',
        'Secret values were redacted from %2 as it was saved (%3). The file on disk holds [REDACTED:…] instead, but the open editor still shows the values: clear those outputs (or reload the file from disk) before you share your screen or copy from it.',
        event.slots.length,
        event.path,
        slots
      );
}
