/**
 * The public face of the extension: the `ISecretsModel` token other plugins require, the
 * interface behind it, plugin and command ids, and the settings.
 *
 * Side-effect free on purpose: besides `Token` (a tiny class), only types are imported, so
 * that any module — and the unit tests — can import it cheaply.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type { Access } from './access';
import type {
  IProject,
  IProvideValueReply,
  ISlot,
  ISlotInput,
  ISlotPatch,
  IStatus,
  IUserSecret,
  IUserSecretChanges,
  INewUserSecret,
  ProvideValueBody
} from './apiTypes';

/** The id prefix of every plugin, command and setting of this extension. */
export const EXTENSION_ID = 'jupyter-secrets';

/**
 * The plugin that provides `ISecretsModel`; `schema/plugin.json` holds its settings (the
 * settings id `jupyter-secrets:plugin` is kept as users have it).
 */
export const PLUGIN_ID = `${EXTENSION_ID}:plugin`;

/** Command ids (palette category "Secrets"). */
export namespace CommandIDs {
  export const openPanel = `${EXTENSION_ID}:open-panel`;
  export const openUserSecrets = `${EXTENSION_ID}:open-user-secrets`;
  export const refresh = `${EXTENSION_ID}:refresh`;
  export const askMissing = `${EXTENSION_ID}:ask-missing`;
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

/**
 * A write that succeeded (the model's `changed` signal): what the notifications tell the user.
 * `silent` writes (the launch dialog saves several values and says so once) are not told.
 */
export type SecretsChange = { silent?: boolean } & (
  | { kind: 'project-created'; project: IProject }
  | { kind: 'slot-added'; slot: ISlot }
  | { kind: 'slot-updated'; slot: ISlot }
  | { kind: 'slot-removed'; slotName: string }
  | { kind: 'value-provided'; slot: ISlot; reply: IProvideValueReply; reused: boolean }
  | { kind: 'value-unlinked'; slotName: string }
  | { kind: 'secret-created'; secret: IUserSecret }
  | {
      kind: 'secret-updated';
      secret: IUserSecret;
      previousName: string | null;
      changes: IUserSecretChanges;
    }
  | { kind: 'secret-deleted'; secretName: string }
);

/**
 * The one owner of the secrets state of this page and of every request to the server.
 *
 * Views read its state and call its methods; a write updates the state from the server's
 * reply (and re-reads only what the reply does not tell), then emits the matching signal.
 */
export interface ISecretsModel {
  /** Decided once at activation: the owner gets the UI, a guest only a notice. */
  readonly access: Access;

  /** The server status (`null` when it could not be read). */
  readonly status: IStatus | null;
  readonly statusChanged: ISignal<ISecretsModel, IStatus | null>;

  /** The folder followed (API path, '' for the server root). */
  readonly path: string;
  /** The project containing `path`, once loaded. */
  readonly project: IProject | null;
  /** Emitted when the project or any of its slots changes (after loads and writes). */
  readonly projectChanged: ISignal<ISecretsModel, IProject | null>;
  /**
   * Emitted when the user enters a folder (`setPath`, the first load at launch included) and
   * its project is loaded; never by a refresh of the same folder. The launch dialog listens.
   */
  readonly projectEntered: ISignal<ISecretsModel, IProject>;
  /** Emitted after each write that succeeded (the notifications listen). */
  readonly changed: ISignal<ISecretsModel, SecretsChange>;
  /** Is the project being loaded? */
  readonly loading: boolean;
  /** The message of the last failed load of the project, if it failed. */
  readonly error: string | null;
  /** Emitted when `loading` or `error` changes. */
  readonly loadStateChanged: ISignal<ISecretsModel, void>;

  /** This user's secrets, sorted by name, once `loadSecrets` has run (`null` before). */
  readonly secrets: IUserSecret[] | null;
  /** The message of the last failed load of the secrets, if it failed. */
  readonly secretsError: string | null;
  readonly secretsChanged: ISignal<ISecretsModel, IUserSecret[] | null>;

  /** The settings (defaults until they are loaded). */
  readonly settings: ISecretsSettings;
  readonly settingsChanged: ISignal<ISecretsModel, ISecretsSettings>;
  /** Resolves once the settings are loaded (or could not be). */
  readonly settingsLoaded: Promise<void>;
  /** Change one setting (saved in the user's settings when there is a registry). */
  setSetting<K extends keyof ISecretsSettings>(key: K, value: ISecretsSettings[K]): Promise<void>;

  /** Follow another folder. */
  setPath(path: string): Promise<void>;
  /** Re-read the project and the status (and the secrets, once loaded). */
  refresh(): Promise<void>;
  /** Re-read the project and the status. */
  refreshProject(): Promise<void>;
  /** Re-read the status. */
  loadStatus(): Promise<void>;
  /** Re-read this user's secrets. */
  loadSecrets(): Promise<IUserSecret[]>;

  /** Make a folder a project (creates its slot file). */
  createProject(path: string, name: string): Promise<IProject>;
  addSlot(projectId: string, fields: ISlotInput): Promise<ISlot>;
  updateSlot(projectId: string, slotId: string, fields: ISlotPatch): Promise<ISlot>;
  removeSlot(projectId: string, slotId: string): Promise<void>;
  /** Fill a slot with a new value, or link it to an existing secret. */
  provideValue(
    projectId: string,
    slotId: string,
    body: ProvideValueBody,
    options?: { silent?: boolean }
  ): Promise<IProvideValueReply>;
  /** Unlink a slot from its secret (the secret itself stays). */
  unlinkValue(projectId: string, slotId: string): Promise<void>;
  createUserSecret(secret: INewUserSecret): Promise<IUserSecret>;
  updateUserSecret(secretId: string, changes: IUserSecretChanges): Promise<IUserSecret>;
  deleteUserSecret(secretId: string): Promise<void>;
}

export const ISecretsModel = new Token<ISecretsModel>(
  `${EXTENSION_ID}:ISecretsModel`,
  'The secrets of this page: status, current project, user secrets, and every request.'
);
