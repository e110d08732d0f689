/**
 * Types, ids and constants of the Secrets extension.
 *
 * Side-effect free on purpose: no DOM, no JupyterLab runtime import, so that any module
 * (and the unit tests) can import it cheaply.
 */

/** The id prefix of every plugin, command and setting of this extension. */
export const EXTENSION_ID = 'jupyter-secrets';

/** The plugin whose settings are described by `schema/plugin.json`. */
export const PLUGIN_ID = `${EXTENSION_ID}:plugin`;

/** Command ids (palette category "Secrets"). */
export namespace CommandIDs {
  export const openPanel = `${EXTENSION_ID}:open-panel`;
  export const openUserSecrets = `${EXTENSION_ID}:open-user-secrets`;
  export const refresh = `${EXTENSION_ID}:refresh`;
  export const askMissing = `${EXTENSION_ID}:ask-missing`;
}

/** This user's state of one slot. */
export type SlotState = 'provided' | 'missing' | 'expired' | 'unreadable';

/** The user secret a slot is linked to (no value, ever). */
export interface ISecretRef {
  id: string;
  name: string;
}

/** One slot of a project, with this user's state. */
export interface ISlot {
  id: string;
  name: string;
  description: string;
  filename: string;
  env: string | null;
  state: SlotState;
  secret: ISecretRef | null;
}

/** A project: the nearest directory holding `.jupyter/secret-slots.json`. */
export interface IProject {
  id: string | null;
  name: string | null;
  /** API path of the project directory ('' for the server root). */
  path: string;
  exists: boolean;
  /** Why the slot file cannot be read, when it cannot. */
  error: string | null;
  slots: ISlot[];
}

/** One place a user secret is used. */
export interface IUsage {
  project_id: string;
  project_name: string | null;
  project_path: string;
  slot_id: string;
  slot_name: string;
}

/** One saved secret of this user (metadata only: values go in, never out). */
export interface IUserSecret {
  id: string;
  name: string;
  created: string;
  modified: string;
  expires: string | null;
  expired: boolean;
  usage: IUsage[];
}

/** `GET /api/secrets/status` (the owner's view; a guest gets 403 `not-owner`). */
export interface IStatus {
  /** The store cannot be read or written (wrong or missing key, unsafe configuration). */
  locked: boolean;
  /** Why it is locked, when it is. */
  lock_reason: string | null;
  /** Why some materialized files are out of date (a full or unusable secrets directory). */
  files_error: string | null;
  on_save: string;
  secrets_dir: string;
  /** Is `secrets_dir` in memory (tmpfs)? `null` when it cannot be told. */
  secrets_dir_memory_backed: boolean | null;
  /** What went wrong choosing `secrets_dir` (a squatted location, a fallback to disk). */
  secrets_dir_warnings: string[];
  /** When the store was created (ISO 8601), if known. */
  store_created: string | null;
  /** The store was created by this server's start: a new user, or a lost volume. */
  store_created_now: boolean;
  version: string;
}

/** The `reason` of the 403 a guest (not the server's owner) gets from every route. */
export const NOT_OWNER = 'not-owner';

/** Body of `POST .../slots` and `PATCH .../slots/{sid}`. */
export interface ISlotFields {
  name?: string;
  description?: string;
  filename?: string;
  env?: string | null;
}

/** Body of `PUT .../slots/{sid}/value`: a new value or an existing secret. */
export type ProvideValueBody =
  | { value: string; name?: string; expires?: string | null }
  | { secret_id: string };

/** Reply of `PUT .../slots/{sid}/value`. */
export interface IProvideValueReply {
  slot: ISlot;
  secret: IUserSecret;
  created: boolean;
  message: string;
}

/** Body of `POST /api/secrets/user-secrets`. */
export interface INewUserSecret {
  name: string;
  value: string;
  expires?: string | null;
}

/** Body of `PATCH /api/secrets/user-secrets/{id}`. */
export interface IUserSecretChanges {
  name?: string;
  value?: string;
  expires?: string | null;
}

/** The settings of `schema/plugin.json`. */
export interface ISecretsSettings {
  launchDialog: boolean;
  refreshInterval: number;
}

export const DEFAULT_SETTINGS: ISecretsSettings = {
  launchDialog: true,
  refreshInterval: 30
};
