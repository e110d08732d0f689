/**
 * Values of every shape, as the forms hold them before they are sent: text typed or pasted
 * (a `string`, newlines kept exactly), or a file loaded by the picker or a drop (`IFileValue`:
 * its exact bytes, never displayed). `valueBody` turns either into the API's field: `value`
 * for text, `value_base64` for bytes that are not UTF-8 text.
 */

/** A file loaded as a value: what the form shows of it (name, size, kind), never its content. */
export interface IFileValue {
  readonly kind: 'file';
  /** The file's name, shown as "loaded from …". */
  readonly name: string;
  /** Its size in bytes. */
  readonly size: number;
  /** The content when it is UTF-8 text (kept exactly: BOM, CRLF, trailing newline). */
  readonly text?: string;
  /** Otherwise its bytes, base64-encoded. */
  readonly base64?: string;
}

/** What a value field holds: typed text, or a loaded file. `''` is empty. */
export type SecretInput = string | IFileValue;

/** The body fields of a value: `{value}` (text) or `{value_base64}` (bytes). */
export type ValueFields = { value: string } | { value_base64: string };

/** Whether `input` holds nothing to save (an empty text; a loaded file always counts). */
export function isEmptyValue(input: SecretInput): boolean {
  return typeof input === 'string' ? input === '' : false;
}

/** The API's field for a value: text as `value`, a file's bytes as `value` or `value_base64`. */
export function valueBody(input: SecretInput): ValueFields {
  if (typeof input === 'string') {
    return { value: input };
  }
  if (input.text !== undefined) {
    return { value: input.text };
  }
  return { value_base64: input.base64 ?? '' };
}

/** Standard base64 of `bytes` (chunked: `String.fromCharCode` takes a bounded argument list). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** The text of `bytes` when they are UTF-8 exactly (a BOM kept), else `null`. */
export function utf8Text(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A loaded file's value: text when its bytes are UTF-8, else its bytes in base64. */
export function fileValue(name: string, bytes: Uint8Array): IFileValue {
  const text = utf8Text(bytes);
  return text !== null
    ? { kind: 'file', name, size: bytes.length, text }
    : { kind: 'file', name, size: bytes.length, base64: bytesToBase64(bytes) };
}

/** The bytes of a `File` (FileReader: what every browser, and jsdom, has). */
export function readFileBytes(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsArrayBuffer(file);
  });
}

/** Files larger than this are refused before they are read (the server's request limit). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** "1.7 KB"-style sizes. */
export function formatSize(size: number): string {
  if (size < 1024) {
    return `${size} B`;
  }
  if (size < 1024 * 1024) {
    return `${(size / 1024).toFixed(1)} KB`;
  }
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}
