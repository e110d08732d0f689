/**
 * What the server's status asks the panel to say: a locked store, secret files that are out
 * of date, secret files that are not in memory (or not where they usually are). Pure (no
 * DOM), so that it is unit-tested cheaply; `statusBanner.tsx` shows it.
 *
 * `store_created_now` is not a notice: every first start of a new user creates a store, and
 * the server's log is where an admin tells a lost volume from a new user.
 */
import { identityTrans, ITrans } from './format';
import type { IStatus } from './apiTypes';

/** `error`: something does not work (role="alert"); `warning`: role="status". */
export type NoticeLevel = 'error' | 'warning';

export interface IStatusNotice {
  /** Stable key (React key, `data-testid="secrets-notice-<key>"`). */
  key: 'locked' | 'files' | 'location';
  level: NoticeLevel;
  /** One line. */
  text: string;
  /** More lines, in a smaller font (the server's own words, paths). */
  details: string[];
}

/** Trimmed, non-empty strings of a list the server sent (anything else is dropped). */
function lines(values: unknown): string[] {
  if (!Array.isArray(values)) {
    return [];
  }
  return values
    .filter((v): v is string => typeof v === 'string')
    .map(v => v.trim())
    .filter(Boolean);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** The notices of a status, most serious first; `[]` for none (or no status). */
export function statusNotices(
  status: Partial<IStatus> | null | undefined,
  trans: ITrans = identityTrans
): IStatusNotice[] {
  if (!status) {
    return [];
  }
  const notices: IStatusNotice[] = [];

  // A short headline each; the server's own words (reasons, paths) go to the details.
  if (status.locked) {
    const reason = text(status.lock_reason);
    notices.push({
      key: 'locked',
      level: 'error',
      text: trans.__('The secrets store is locked.'),
      details: reason ? [reason] : []
    });
  }

  const filesError = text(status.files_error);
  if (filesError) {
    notices.push({
      key: 'files',
      level: 'error',
      text: trans.__('Some secret files are out of date.'),
      details: [
        filesError,
        trans.__('Kernels may read old values until the files are written again.')
      ]
    });
  }

  const warnings = lines(status.secrets_dir_warnings);
  const onDisk = status.secrets_dir_memory_backed === false;
  if (onDisk || warnings.length) {
    const dir = text(status.secrets_dir);
    notices.push({
      key: 'location',
      level: 'warning',
      text: onDisk
        ? trans.__('Secret files are written to disk, not to memory.')
        : trans.__('Secret files are not in their usual place.'),
      // The server's warnings name the paths; without any, name the folder at least.
      details: warnings.length ? warnings : dir ? [trans.__('Folder: %1', dir)] : []
    });
  }

  return notices;
}
