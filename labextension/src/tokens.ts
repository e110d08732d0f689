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

/** `GET /api/secrets/status`. */
export interface IStatus {
  locked: boolean;
  lock_reason: string | null;
  on_save: string;
  secrets_dir: string;
  version: string;
}

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
