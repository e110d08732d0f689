/**
 * `SecretsModel`: the one owner of this page's secrets state (who may use the secrets, the
 * server status, the followed folder and its project, this user's secrets, the settings)
 * and of every request to the server. Views read it and call it; nothing else talks HTTP.
 *
 * A write updates the state from the server's reply and re-reads only what the reply does
 * not tell: a slot's state after an unlink (the 204 says nothing), the status after a change
 * of materialized files (`files_error` may appear). Each piece of state has its own signal.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { PromiseDelegate } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { Access, decideAccess } from './access';
import type {
  IProject,
  IProvideValueReply,
  ISlot,
  ISlotInput,
  ISlotPatch,
  IStatus,
  IUsage,
  IUserSecret,
  IUserSecretChanges,
  INewUserSecret,
  ProvideValueBody
} from './apiTypes';
import { SecretsClient } from './client';
import { identityTrans, ITrans, messageOf, sortSecrets } from './format';
import { DEFAULT_SETTINGS, ISecretsModel, ISecretsSettings, SecretsChange } from './tokens';

export interface ISecretsModelOptions {
  /** The REST client (the page's server by default). */
  client?: SecretsClient;
  /** Translates the sentences the model makes (the guest notice). */
  trans?: ITrans;
}

export class SecretsModel implements ISecretsModel {
  constructor(options: ISecretsModelOptions = {}) {
    this._client = options.client ?? new SecretsClient();
    this._trans = options.trans ?? identityTrans;
  }

  // ---- access -------------------------------------------------------------------------

  get access(): Access {
    return this._access;
  }

  /**
   * Ask the server once who this user is (`GET /status`), before any UI is added: a guest
   * gets 403 and no further request is ever made. Keeps the status of the owner's answer.
   * `sent` is that request when it already left (the plugin sends it as its code loads).
   */
  async checkAccess(timeoutMs?: number, sent?: Promise<IStatus>): Promise<Access> {
    const readStatus = () => sent ?? this._client.status();
    this._access = await decideAccess(readStatus, this._trans, timeoutMs);
    if (this._access.kind === 'owner') {
      this._setStatus(this._access.status);
    }
    return this._access;
  }

  // ---- status -------------------------------------------------------------------------

  get status(): IStatus | null {
    return this._status;
  }

  get statusChanged(): ISignal<this, IStatus | null> {
    return this._statusChanged;
  }

  /** Re-read the server status (a locked store, out-of-date files, files on disk). */
  async loadStatus(): Promise<void> {
    let status: IStatus | null;
    try {
      status = await this._client.status();
    } catch {
      status = null;
    }
    this._setStatus(status);
  }

  // ---- project ------------------------------------------------------------------------

  get path(): string {
    return this._path;
  }

  get project(): IProject | null {
    return this._project;
  }

  get projectChanged(): ISignal<this, IProject | null> {
    return this._projectChanged;
  }

  get projectEntered(): ISignal<this, IProject> {
    return this._projectEntered;
  }

  get changed(): ISignal<this, SecretsChange> {
    return this._changed;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  get loadStateChanged(): ISignal<this, void> {
    return this._loadStateChanged;
  }

  setPath(path: string): Promise<void> {
    // The same folder again is nothing new, once it was entered (a refresh may have loaded it
    // first: the panel's own, before the file browser is restored at launch).
    if (path === this._path && this._project && this._entered) {
      return Promise.resolve();
    }
    this._path = path;
    // The load of this folder's project tells `projectEntered`; refreshes never do.
    this._entering = true;
    return this.refreshProject();
  }

  /**
   * Re-read the project of the current folder, and the status beside it. Calls made while a
   * load runs are merged into one more load after it.
   */
  refreshProject(): Promise<void> {
    if (this._pending) {
      this._again = true;
      return this._pending;
    }
    const both = Promise.all([this._loadProject(), this.loadStatus()]);
    this._pending = both
      .then(() => undefined)
      .finally(() => {
        this._pending = null;
        if (this._again) {
          this._again = false;
          void this.refreshProject();
        }
      });
    return this._pending;
  }

  /** Re-read everything shown: the project, the status, and the secrets once loaded. */
  async refresh(): Promise<void> {
    await Promise.all([
      this.refreshProject(),
      this._secrets !== null ? this.loadSecrets().catch(() => undefined) : undefined
    ]);
  }

  async createProject(path: string, name: string): Promise<IProject> {
    const project = await this._client.createProject(path, name);
    this._projectWrites++;
    if (path === this._path) {
      this._setProject(project);
    }
    this._changed.emit({ kind: 'project-created', project });
    return project;
  }

  async addSlot(projectId: string, fields: ISlotInput): Promise<ISlot> {
    const slot = await this._client.addSlot(projectId, fields);
    this._patchSlots(projectId, slots => [...slots, slot]);
    this._changed.emit({ kind: 'slot-added', slot });
    return slot;
  }

  async updateSlot(projectId: string, slotId: string, fields: ISlotPatch): Promise<ISlot> {
    const slot = await this._client.updateSlot(projectId, slotId, fields);
    this._patchSlots(projectId, slots => slots.map(s => (s.id === slotId ? slot : s)));
    this._patchUsages(u => (isUsageOf(u, projectId, slotId) ? { ...u, slot_name: slot.name } : u));
    if (fields.filename !== undefined || fields.env !== undefined) {
      void this.loadStatus(); // the file was renamed: writing it may have failed
    }
    this._changed.emit({ kind: 'slot-updated', slot });
    return slot;
  }

  async removeSlot(projectId: string, slotId: string): Promise<void> {
    const slotName = this._slotName(projectId, slotId);
    await this._client.removeSlot(projectId, slotId);
    this._changed.emit({ kind: 'slot-removed', slotName });
    this._patchSlots(projectId, slots => slots.filter(s => s.id !== slotId));
    this._patchUsages(u => (isUsageOf(u, projectId, slotId) ? null : u));
    void this.loadStatus();
  }

  async provideValue(
    projectId: string,
    slotId: string,
    body: ProvideValueBody,
    options: { silent?: boolean } = {}
  ): Promise<IProvideValueReply> {
    const reply = await this._client.provideValue(projectId, slotId, body);
    this._changed.emit({
      kind: 'value-provided',
      slot: reply.slot,
      reply,
      reused: !!(body as { secret_id?: unknown }).secret_id,
      silent: options.silent
    });
    this._patchSlots(projectId, slots => slots.map(s => (s.id === slotId ? reply.slot : s)));
    if (this._secrets !== null) {
      // The slot left its former secret (if any) for the one of the reply.
      const others = this._secrets
        .filter(s => s.id !== reply.secret.id)
        .map(s => withoutUsage(s, projectId, slotId));
      this._setSecrets([...others, reply.secret]);
    }
    void this.loadStatus();
    return reply;
  }

  async unlinkValue(projectId: string, slotId: string): Promise<void> {
    const slotName = this._slotName(projectId, slotId);
    await this._client.unlinkValue(projectId, slotId);
    this._changed.emit({ kind: 'value-unlinked', slotName });
    this._patchUsages(u => (isUsageOf(u, projectId, slotId) ? null : u));
    // The reply tells nothing of the slot's new state: read the project again.
    this._projectWrites++;
    await this.refreshProject();
  }

  // ---- user secrets -------------------------------------------------------------------

  get secrets(): IUserSecret[] | null {
    return this._secrets;
  }

  get secretsError(): string | null {
    return this._secretsError;
  }

  get secretsChanged(): ISignal<this, IUserSecret[] | null> {
    return this._secretsChanged;
  }

  async loadSecrets(): Promise<IUserSecret[]> {
    // A write that lands while the list is read makes the read stale: read again.
    for (let attempt = 0; ; attempt++) {
      const writes = this._secretsWrites;
      try {
        const secrets = await this._client.userSecrets();
        if (writes !== this._secretsWrites && attempt < 2) {
          continue;
        }
        this._secretsError = null;
        this._setSecrets(secrets);
        return this._secrets!;
      } catch (error) {
        this._secretsError = messageOf(error);
        this._setSecrets(this._secrets ?? []);
        throw error;
      }
    }
  }

  async createUserSecret(secret: INewUserSecret): Promise<IUserSecret> {
    const created = await this._client.createUserSecret(secret);
    this._changed.emit({ kind: 'secret-created', secret: created });
    if (this._secrets !== null) {
      this._setSecrets([...this._secrets, created]);
    }
    return created;
  }

  async updateUserSecret(secretId: string, changes: IUserSecretChanges): Promise<IUserSecret> {
    const previousName = this._secrets?.find(s => s.id === secretId)?.name ?? null;
    const updated = await this._client.updateUserSecret(secretId, changes);
    this._changed.emit({ kind: 'secret-updated', secret: updated, previousName, changes });
    if (this._secrets !== null) {
      this._setSecrets(this._secrets.map(s => (s.id === secretId ? updated : s)));
    }
    const used = this._usesSecret(secretId);
    if (changes.name !== undefined) {
      this._patchSlots(this._project?.id ?? null, slots =>
        slots.map(s =>
          s.secret?.id === secretId ? { ...s, secret: { ...s.secret, name: updated.name } } : s
        )
      );
    }
    if (
      changes.value !== undefined ||
      changes.value_base64 !== undefined ||
      changes.expires !== undefined
    ) {
      // Every slot linked to it follows; their states (expired or not) are the server's.
      if (used) {
        this._projectWrites++;
        void this.refreshProject();
      } else {
        void this.loadStatus();
      }
    }
    return updated;
  }

  async deleteUserSecret(secretId: string): Promise<void> {
    const secretName = this._secrets?.find(s => s.id === secretId)?.name ?? '';
    await this._client.deleteUserSecret(secretId);
    this._changed.emit({ kind: 'secret-deleted', secretName });
    if (this._secrets !== null) {
      this._setSecrets(this._secrets.filter(s => s.id !== secretId));
    }
    if (this._usesSecret(secretId)) {
      this._projectWrites++;
      void this.refreshProject(); // its slots here lost their value
    } else {
      void this.loadStatus();
    }
  }

  // ---- settings -----------------------------------------------------------------------

  get settings(): ISecretsSettings {
    return this._settings;
  }

  get settingsChanged(): ISignal<this, ISecretsSettings> {
    return this._settingsChanged;
  }

  get settingsLoaded(): Promise<void> {
    return this._settingsLoaded.promise;
  }

  /** Read (and follow) the user's settings; `null` keeps the defaults. */
  connectSettings(settings: ISettingRegistry.ISettings | null): void {
    this._settingsObject = settings;
    if (settings) {
      const read = () => {
        const interval = Number(settings.get('refreshInterval').composite);
        this._settings = {
          launchDialog: settings.get('launchDialog').composite !== false,
          refreshInterval: Number.isFinite(interval) ? interval : DEFAULT_SETTINGS.refreshInterval
        };
        this._settingsChanged.emit(this._settings);
      };
      read();
      settings.changed.connect(read, this);
    }
    this._settingsLoaded.resolve();
  }

  async setSetting<K extends keyof ISecretsSettings>(
    key: K,
    value: ISecretsSettings[K]
  ): Promise<void> {
    if (this._settingsObject) {
      await this._settingsObject.set(key, value); // `changed` brings it back here
    } else {
      this._settings = { ...this._settings, [key]: value };
      this._settingsChanged.emit(this._settings);
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  // ---- private ------------------------------------------------------------------------

  private async _loadProject(): Promise<void> {
    const path = this._path;
    const writes = this._projectWrites;
    const entering = this._entering;
    this._entering = false;
    this._setLoading(true);
    try {
      const project = await this._client.projectOf(path);
      if (path !== this._path || writes !== this._projectWrites) {
        this._again = true; // stale: the folder changed, or a write landed meanwhile
        if (path !== this._path) {
          this._entering ||= entering;
        } else if (entering) {
          // This page wrote to the folder's project while its first read ran: the user is
          // already working in it, so the entry is over (a launch dialog now would open over
          // the very form they are filling).
          this._entered = true;
        }
        return;
      }
      this._error = null;
      this._setProject(project);
      if (entering) {
        this._entered = true;
        this._projectEntered.emit(project);
      }
    } catch (error) {
      this._error = messageOf(error);
    } finally {
      this._setLoading(false);
    }
  }

  private _setLoading(loading: boolean): void {
    this._loading = loading;
    this._loadStateChanged.emit();
  }

  private _setStatus(status: IStatus | null): void {
    this._status = status;
    this._statusChanged.emit(status);
  }

  private _setProject(project: IProject | null): void {
    this._project = project;
    this._projectChanged.emit(project);
  }

  /** Change the slots of the current project, when it is `projectId`. */
  private _patchSlots(projectId: string | null, change: (slots: ISlot[]) => ISlot[]): void {
    this._projectWrites++;
    const project = this._project;
    if (project && projectId !== null && project.id === projectId) {
      this._setProject({ ...project, slots: change(project.slots) });
    }
  }

  /** Change (or drop, with `null`) usages of the secrets list, when it is loaded. */
  private _patchUsages(change: (usage: IUsage) => IUsage | null): void {
    if (this._secrets === null) {
      return;
    }
    this._setSecrets(
      this._secrets.map(secret => ({
        ...secret,
        usage: secret.usage.map(change).filter((u): u is IUsage => u !== null)
      }))
    );
  }

  private _setSecrets(secrets: IUserSecret[]): void {
    this._secretsWrites++;
    this._secrets = sortSecrets(secrets);
    this._secretsChanged.emit(this._secrets);
  }

  /** The name of a slot of the current project ('' when it is not loaded). */
  private _slotName(projectId: string, slotId: string): string {
    const project = this._project;
    return project?.id === projectId ? (project.slots.find(s => s.id === slotId)?.name ?? '') : '';
  }

  /** Does a slot of the current project use this secret? */
  private _usesSecret(secretId: string): boolean {
    return !!this._project?.slots.some(s => s.secret?.id === secretId);
  }

  private _client: SecretsClient;
  private _trans: ITrans;
  private _access: Access = { kind: 'owner', status: null };
  private _status: IStatus | null = null;
  private _path = '';
  private _project: IProject | null = null;
  private _error: string | null = null;
  private _loading = false;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _entering = false;
  private _entered = false;
  private _projectWrites = 0;
  private _secrets: IUserSecret[] | null = null;
  private _secretsError: string | null = null;
  private _secretsWrites = 0;
  private _settings: ISecretsSettings = { ...DEFAULT_SETTINGS };
  private _settingsObject: ISettingRegistry.ISettings | null = null;
  private _settingsLoaded = new PromiseDelegate<void>();
  private _statusChanged = new Signal<this, IStatus | null>(this);
  private _projectChanged = new Signal<this, IProject | null>(this);
  private _projectEntered = new Signal<this, IProject>(this);
  private _changed = new Signal<this, SecretsChange>(this);
  private _loadStateChanged = new Signal<this, void>(this);
  private _secretsChanged = new Signal<this, IUserSecret[] | null>(this);
  private _settingsChanged = new Signal<this, ISecretsSettings>(this);
}

function isUsageOf(usage: IUsage, projectId: string, slotId: string): boolean {
  return usage.project_id === projectId && usage.slot_id === slotId;
}

function withoutUsage(secret: IUserSecret, projectId: string, slotId: string): IUserSecret {
  return { ...secret, usage: secret.usage.filter(u => !isUsageOf(u, projectId, slotId)) };
}
