/**
 * Who may use the secrets of this server: decided once, at activation, from
 * `GET /api/secrets/status`, before any panel, dialog or command is added.
 *
 * Secrets belong to the server's owner. Where the identity provider gives stable user
 * names (JupyterHub, shared servers), every route answers anyone else 403 with
 * `{"message", "reason": "not-owner", "owner"}`: such a guest gets no Secrets UI at all,
 * only a one-line notice. Pure (no DOM, no JupyterLab runtime), so it is unit-tested cheaply.
 */
import { identityTrans, ITrans } from './format';
import { IStatus, NOT_OWNER } from './apiTypes';

/** The server's owner (or anyone, on a server with per-token identities). */
export interface IOwnerAccess {
  kind: 'owner';
  /** The status read at activation; `null` when it could not be read. */
  status: IStatus | null;
}

/** Someone else: no panel, no dialog, no view, no commands; `notice` says why. */
export interface IGuestAccess {
  kind: 'guest';
  /** The owner's name, when the server gave it. */
  owner: string | null;
  /** One sentence for the user: whose secrets these are. */
  notice: string;
}

export type Access = IOwnerAccess | IGuestAccess;

/**
 * The guest access an error stands for, or `null` when it is another failure.
 *
 * Every 403 of the status route means the secrets are not this user's. With the reason
 * `not-owner` (the server's owner check) the notice names the owner, in the user's language
 * (the server's own English sentence when it names no owner); any other 403 (an authorizer
 * refusing the `secrets` resource) gets a general sentence.
 */
export function guestOf(error: unknown, trans: ITrans = identityTrans): IGuestAccess | null {
  if (!error || typeof error !== 'object' || (error as { status?: unknown }).status !== 403) {
    return null;
  }
  const e = error as { message?: unknown; reason?: unknown; owner?: unknown };
  const owner = typeof e.owner === 'string' && e.owner ? e.owner : null;
  const message = typeof e.message === 'string' ? e.message.trim() : '';
  let notice: string;
  if (e.reason === NOT_OWNER && owner) {
    notice = trans.__(
      'The secrets of this server belong to its owner, %1: the Secrets panel is not shown to other users.',
      owner
    );
  } else if (e.reason === NOT_OWNER && message) {
    notice = message;
  } else if (e.reason === NOT_OWNER) {
    notice = trans.__('The secrets of this server belong to its owner.');
  } else {
    notice = trans.__('The secrets of this server are not available to you.');
  }
  return { kind: 'guest', owner, notice };
}

/** How long JupyterLab's start may wait for the answer (activation waits for it). */
export const ACCESS_TIMEOUT_MS = 10000;

/**
 * Ask the server once. Anything but a 403 keeps the full UI: a network failure, a disabled
 * server extension or no answer within `timeoutMs` are shown in the panel, as any failed load.
 */
export async function decideAccess(
  readStatus: () => Promise<IStatus>,
  trans: ITrans = identityTrans,
  timeoutMs = ACCESS_TIMEOUT_MS
): Promise<Access> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>(resolve => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return { kind: 'owner', status: await Promise.race([readStatus(), late]) };
  } catch (error) {
    return guestOf(error, trans) ?? { kind: 'owner', status: null };
  } finally {
    clearTimeout(timer);
  }
}
