/**
 * The rules of names, descriptions, file names, env names and expiries, checked in the forms
 * as the user types. The data is `jupyter_secrets/rules.py`'s, generated into `rules.ts`;
 * the messages say what the server would say. The server still decides: a form shows its
 * answer too (a clash with another name, for one, is only known there).
 */
import { RULES } from './rules';

/** The shape of `rules.ts` (see `frontend_rules()` in rules.py). */
export interface IRuleData {
  nameMax: number;
  descriptionMax: number;
  filenameMax: number;
  envMax: number;
  filenameChars: string;
  bidiControls: number[];
  invisibleRanges: number[][];
  refusedCategories: Record<string, string>;
  envFamilies: {
    reason: string;
    names: string[];
    prefixes: string[];
    suffixes: string[];
    contains: string[];
    patterns: string[][];
  }[];
}

/** A field's problem in words (as the server says it), or `undefined` when it is fine. */
export type Check = string | undefined;

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

const CATEGORY_TESTS: Record<string, RegExp> = {
  Cc: /^\p{Cc}$/u,
  Cs: /^\p{Cs}$/u,
  Co: /^\p{Co}$/u,
  Cn: /^\p{Cn}$/u,
  Zl: /^\p{Zl}$/u,
  Zp: /^\p{Zp}$/u
};
const FORMAT_CHAR = /^\p{Cf}$/u;

function isInvisible(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return (
    FORMAT_CHAR.test(ch) || RULES.invisibleRanges.some(([low, high]) => low <= code && code <= high)
  );
}

function refusedCharReason(ch: string, data: IRuleData = RULES): string | undefined {
  if (data.bidiControls.includes(ch.codePointAt(0)!)) {
    return 'a bidirectional control, which reorders how the text around it is shown';
  }
  if (isInvisible(ch)) {
    return 'an invisible character, so two different names would look the same';
  }
  for (const [category, reason] of Object.entries(data.refusedCategories)) {
    if (CATEGORY_TESTS[category]?.test(ch)) {
      return reason;
    }
  }
  return undefined;
}

/** A slot, project or secret name: 1-99 visible characters once surrounding spaces go. */
export function checkName(value: string): Check {
  const name = value.trim();
  for (const ch of name) {
    const reason = refusedCharReason(ch);
    if (reason) {
      return `must not contain ${codePoint(ch)}: it is ${reason}`;
    }
  }
  const length = [...name.normalize('NFC')].length;
  if (length < 1 || length > RULES.nameMax) {
    return `must be 1-${RULES.nameMax} characters (surrounding spaces are ignored)`;
  }
  return undefined;
}

/** Free text up to 500 characters; newlines and tabs are fine, other controls are not. */
export function checkDescription(value: string): Check {
  if ([...value].length > RULES.descriptionMax) {
    return `must be at most ${RULES.descriptionMax} characters`;
  }
  for (const ch of value) {
    if ('\n\r\t'.includes(ch)) {
      continue;
    }
    if (
      RULES.bidiControls.includes(ch.codePointAt(0)!) ||
      CATEGORY_TESTS.Cc.test(ch) ||
      CATEGORY_TESTS.Cs.test(ch)
    ) {
      return `must not contain ${codePoint(ch)}: it is ${refusedCharReason(ch)} (newlines and tabs are fine)`;
    }
  }
  return undefined;
}

/** The value's file name: 1-200 of `A-Z a-z 0-9 _ . -`, not only dots. */
export function checkFilename(value: string): Check {
  const ok =
    value.length > 0 &&
    value.length <= RULES.filenameMax &&
    [...value].every(ch => RULES.filenameChars.includes(ch)) &&
    value.replace(/\./g, '') !== '';
  return ok
    ? undefined
    : `must be 1-${RULES.filenameMax} characters of letters, digits, '_', '.', '-' ` +
        '(ASCII only, no spaces or slashes) and not only dots';
}

function envFamilyOf(name: string): string | undefined {
  for (const family of RULES.envFamilies) {
    let said: string | undefined;
    if (family.names.includes(name)) {
      said = `${name} is one of the names that`;
    } else {
      const prefix = family.prefixes.find(p => name.startsWith(p));
      const suffix = family.suffixes.find(s => name.endsWith(s));
      const part = family.contains.find(c => name.includes(c));
      const pattern = family.patterns.find(([regex]) => new RegExp(`^(?:${regex})$`).test(name));
      said = prefix
        ? `names starting with ${prefix}`
        : suffix
          ? `names ending in ${suffix}`
          : part
            ? `names containing ${part}`
            : pattern?.[1];
    }
    if (said) {
      return `'${name}' is refused: ${said} ${family.reason}`;
    }
  }
  return undefined;
}

/** An optional environment variable name (empty: none) outside the refused families. */
export function checkEnv(value: string): Check {
  if (value === '') {
    return undefined;
  }
  if (!new RegExp(`^[A-Z_][A-Z0-9_]{0,${RULES.envMax - 1}}$`).test(value)) {
    return (
      `must be an environment variable name of at most ${RULES.envMax} characters: ` +
      "uppercase letters, digits and '_', not starting with a digit"
    );
  }
  const refusal = envFamilyOf(value);
  return refusal
    ? `${refusal}; choose another name (kernels can still read the value from its file)`
    : undefined;
}

/**
 * The value of an `<input type="date">` as an expiry: empty (none), or a day whose midnight
 * UTC is still to come (the server refuses an expiry in the past).
 */
export function checkExpiryDate(value: string, now: Date = new Date()): Check {
  if (!value.trim()) {
    return undefined;
  }
  const when = new Date(`${value.trim()}T00:00:00Z`);
  if (isNaN(when.getTime())) {
    return 'must be a date such as 2026-12-31';
  }
  if (when.getTime() <= now.getTime()) {
    return 'is in the past: a secret that has expired is never given to kernels; choose a later date, or no expiry';
  }
  return undefined;
}

/** The first day an expiry may be (for the date input's `min`): tomorrow, in UTC. */
export function firstExpiryDate(now: Date = new Date()): string {
  const next = new Date(now.getTime() + 24 * 3600 * 1000);
  return next.toISOString().slice(0, 10);
}
