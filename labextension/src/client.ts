/**
 * A typed client of every route of docs/API.md.
 *
 * It takes the request function as a parameter (the page's `requestAPI` by default), so
 * the unit tests can check the routes, verbs and bodies without a server. Every successful
 * write emits `changed`, so that every view of this page refreshes.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { apiPath, Query, requestAPI } from './handler';
import {
  INewUserSecret,
  IProject,
  IProvideValueReply,
  ISlot,
  ISlotFields,
  IStatus,
  IUserSecret,
  IUserSecretChanges,
  ProvideValueBody
} from './tokens';

/** What the client needs from `requestAPI`. */
export type RequestFunction = <T>(
  endPoint: string,
  init?: RequestInit,
  query?: Query
) => Promise<T>;

export class SecretsClient {
  constructor(request: RequestFunction = requestAPI) {
    this._request = request;
  }

  /** Emitted after every successful write (of this page). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  status(): Promise<IStatus> {
    return this._request<IStatus>('status');
  }

  /** The project containing `path` (an API path, '' for the root). */
  projectOf(path: string): Promise<IProject> {
    return this._request<IProject>('projects', { method: 'GET' }, { path });
  }

  project(projectId: string): Promise<IProject> {
    return this._request<IProject>(apiPath('projects', projectId));
  }

  createProject(path: string, name: string): Promise<IProject> {
    return this._write<IProject>('projects', 'POST', { path, name });
  }

  addSlot(projectId: string, fields: ISlotFields): Promise<ISlot> {
    return this._write<ISlot>(
      apiPath('projects', projectId, 'slots'),
      'POST',
      fields
    );
  }

  updateSlot(
    projectId: string,
    slotId: string,
    fields: ISlotFields
  ): Promise<ISlot> {
    return this._write<ISlot>(
      apiPath('projects', projectId, 'slots', slotId),
      'PATCH',
      fields
    );
  }

  removeSlot(projectId: string, slotId: string): Promise<void> {
    return this._write<void>(
      apiPath('projects', projectId, 'slots', slotId),
      'DELETE'
    );
  }

  /** Fill a slot with a new value, or link it to an existing secret. */
  provideValue(
    projectId: string,
    slotId: string,
    body: ProvideValueBody
  ): Promise<IProvideValueReply> {
    return this._write<IProvideValueReply>(
      apiPath('projects', projectId, 'slots', slotId, 'value'),
      'PUT',
      body
    );
  }

  /** Unlink a slot from its secret (the secret itself stays). */
  unlinkValue(projectId: string, slotId: string): Promise<void> {
    return this._write<void>(
      apiPath('projects', projectId, 'slots', slotId, 'value'),
      'DELETE'
    );
  }

  async userSecrets(): Promise<IUserSecret[]> {
    const reply = await this._request<{ secrets: IUserSecret[] }>(
      'user-secrets'
    );
    return reply?.secrets ?? [];
  }

  createUserSecret(secret: INewUserSecret): Promise<IUserSecret> {
    return this._write<IUserSecret>('user-secrets', 'POST', secret);
  }

  updateUserSecret(
    secretId: string,
    changes: IUserSecretChanges
  ): Promise<IUserSecret> {
    return this._write<IUserSecret>(
      apiPath('user-secrets', secretId),
      'PATCH',
      changes
    );
  }

  deleteUserSecret(secretId: string): Promise<void> {
    return this._write<void>(apiPath('user-secrets', secretId), 'DELETE');
  }

  private async _write<T>(
    endPoint: string,
    method: string,
    body?: unknown
  ): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    const reply = await this._request<T>(endPoint, init);
    this._changed.emit();
    return reply;
  }

  private _request: RequestFunction;
  private _changed = new Signal<this, void>(this);
}
