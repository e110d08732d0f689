/**
 * Every notification of the extension, through JupyterLab's `Notification` (the toasts of
 * @jupyterlab/apputils): one sentence per change that succeeded (`changeMessage`, told by the
 * notifications plugin from the model's `changed` signal), and one shape for failures.
 * Messages name slots, secrets and projects, never a value.
 */
import { Notification } from '@jupyterlab/apputils';

import { ITrans, messageOf } from './format';
import type { SecretsChange } from './tokens';

/** How long a toast stays, in milliseconds. */
export const SUCCESS_MS = 4000;
export const INFO_MS = 6000;
export const FAILURE_MS = 8000;

/** The sentence telling a change, or `null` for a change told elsewhere. */
export function changeMessage(change: SecretsChange, trans: ITrans): string | null {
  switch (change.kind) {
    case 'project-created':
      return trans.__(
        'Created the project "%1". Commit %2 so that everyone gets its slots.',
        change.project.name ?? '',
        '.jupyter/secret-slots.json'
      );
    case 'slot-added':
      return trans.__('Added the slot "%1".', change.slot.name);
    case 'slot-updated':
      return trans.__('Saved the slot "%1".', change.slot.name);
    case 'slot-removed':
      return trans.__('Removed the slot "%1".', change.slotName);
    case 'value-provided':
      return change.reused
        ? trans.__('"%1" now uses the secret "%2".', change.slot.name, change.reply.secret.name)
        : trans.__('Saved the value of "%1".', change.slot.name);
    case 'value-unlinked':
      return trans.__('"%1" is unlinked; the secret itself stays.', change.slotName);
    case 'secret-created':
      return trans.__('Added the secret "%1".', change.secret.name);
    case 'secret-updated': {
      const { changes, secret, previousName } = change;
      if (changes.name !== undefined && previousName && previousName !== secret.name) {
        return trans.__('Renamed "%1" to "%2".', previousName, secret.name);
      }
      if (changes.value !== undefined || changes.value_base64 !== undefined) {
        const n = secret.usage.length;
        return n
          ? trans._n(
              'Replaced the value of "%2"; %1 slot follows.',
              'Replaced the value of "%2"; %1 slots follow.',
              n,
              secret.name
            )
          : trans.__('Replaced the value of "%1".', secret.name);
      }
      return trans.__('Saved the secret "%1".', secret.name);
    }
    case 'secret-deleted':
      return trans.__('Deleted the secret "%1".', change.secretName);
  }
}

/** Tell a change that succeeded (a success toast, and the server's note if it has one). */
export function notifyChange(change: SecretsChange, trans: ITrans): void {
  if (change.silent) {
    return;
  }
  const message = changeMessage(change, trans);
  if (message) {
    Notification.success(message, { autoClose: SUCCESS_MS });
  }
  if (change.kind === 'value-provided' && change.reply.created && change.reply.message) {
    notifyInfo(change.reply.message);
  }
}

/** A success told by a view itself (e.g. the launch dialog's summary). */
export function notifySuccess(message: string): void {
  Notification.success(message, { autoClose: SUCCESS_MS });
}

export function notifyInfo(message: string): void {
  Notification.info(message, { autoClose: INFO_MS });
}

/** A failure outside a form (a form shows its errors in place): "<what>: <why>". */
export function notifyFailure(what: string, error: unknown): void {
  Notification.error(`${what}: ${messageOf(error)}`, { autoClose: FAILURE_MS });
}
