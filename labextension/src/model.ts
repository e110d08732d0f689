/**
 * The state behind the Secrets panel: the folder the file browser shows, the project
 * containing it, and (lazily) this user's secrets for the selects.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { SecretsClient } from './api';
import { messageOf } from './model';
import { IProject, IStatus, IUserSecret } from './tokens';

export class ProjectModel {
  constructor(client: SecretsClient) {
    this.client = client;
    client.changed.connect(this._onChanged, this);
  }

  readonly client: SecretsClient;

  /** Emitted whenever anything below changes. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** Emitted after each successful load of the project (also when it did not change). */
  get projectLoaded(): ISignal<this, IProject> {
    return this._projectLoaded;
  }

  /** The folder followed (API path, '' for the server root). */
  get path(): string {
    return this._path;
  }

  get project(): IProject | null {
    return this._project;
  }

  /** The message of the last failed load, if the last load failed. */
  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  get status(): IStatus | null {
    return this._status;
  }

  /** This user's secrets, once `loadSecrets` has run (`null` before). */
  get secrets(): IUserSecret[] | null {
    return this._secrets;
  }

  /** Follow another folder. */
  setPath(path: string): Promise<void> {
    if (path === this._path && this._project) {
      return Promise.resolve();
    }
    this._path = path;
    return this.refresh();
  }

  /**
   * Reload the project of the current folder, and the server status beside it. Calls made
   * while a load runs are merged into one more load after it.
   */
  refresh(): Promise<void> {
    if (this._pending) {
      this._again = true;
      return this._pending;
    }
    const both = Promise.all([this._load(), this.loadStatus()]);
    this._pending = both.then(() => undefined).finally(() => {
      this._pending = null;
      if (this._again) {
        this._again = false;
        void this.refresh();
      }
    });
    return this._pending;
  }

  /** Reload the list of this user's secrets. */
  async loadSecrets(): Promise<IUserSecret[]> {
    try {
      this._secrets = await this.client.userSecrets();
    } catch (error) {
      this._secrets = this._secrets ?? [];
      throw error;
    } finally {
      this._stateChanged.emit();
    }
    return this._secrets;
  }

  /** Use a status read elsewhere (at activation), without asking the server again. */
  setStatus(status: IStatus | null): void {
    this._status = status;
    this._stateChanged.emit();
  }

  /** Reload the server status (a locked store, out-of-date files, files on disk). */
  async loadStatus(): Promise<void> {
    try {
      this._status = await this.client.status();
    } catch {
      this._status = null;
    }
    this._stateChanged.emit();
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    const path = this._path;
    this._loading = true;
    this._stateChanged.emit();
    try {
      const project = await this.client.projectOf(path);
      if (path !== this._path) {
        return; // the folder changed meanwhile; the merged reload follows it
      }
      this._project = project;
      this._error = null;
      this._projectLoaded.emit(project);
    } catch (error) {
      this._error = messageOf(error);
    } finally {
      this._loading = false;
      this._stateChanged.emit();
    }
  }

  private _onChanged(): void {
    void this.refresh();
    if (this._secrets !== null) {
      void this.loadSecrets().catch(() => undefined);
    }
  }

  private _path = '';
  private _project: IProject | null = null;
  private _error: string | null = null;
  private _loading = false;
  private _status: IStatus | null = null;
  private _secrets: IUserSecret[] | null = null;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _stateChanged = new Signal<this, void>(this);
  private _projectLoaded = new Signal<this, IProject>(this);
}
