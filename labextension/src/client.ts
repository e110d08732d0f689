/**
 * A typed client of every route of the server's `openapi.yaml`: one method per route, no
 * state. The model (`model.ts`) is its only user in the page.
 *
 * It takes the request function as a parameter (the page's `requestAPI` by default), so
 * the unit tests can check the routes, verbs and bodies without a server.
 */
import { apiPath, Query, requestAPI } from './request';
import type {
  INewProject,
  INewUserSecret,
  IProject,
  IProvideValueReply,
  ISlot,
  ISlotInput,
  ISlotPatch,
  IStatus,
  IUserSecret,
  IUserSecretChanges,
  IUserSecretList,
  ProvideValueBody
} from './apiTypes';

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
    const body: INewProject = { path, name };
    return this._send<IProject>('projects', 'POST', body);
  }

  addSlot(projectId: string, fields: ISlotInput): Promise<ISlot> {
    return this._send<ISlot>(apiPath('projects', projectId, 'slots'), 'POST', fields);
  }

  updateSlot(projectId: string, slotId: string, fields: ISlotPatch): Promise<ISlot> {
    return this._send<ISlot>(apiPath('projects', projectId, 'slots', slotId), 'PATCH', fields);
  }

  removeSlot(projectId: string, slotId: string): Promise<void> {
    return this._send<void>(apiPath('projects', projectId, 'slots', slotId), 'DELETE');
  }

  /** Fill a slot with a new value, or link it to an existing secret. */
  provideValue(
    projectId: string,
    slotId: string,
    body: ProvideValueBody
  ): Promise<IProvideValueReply> {
    return this._send<IProvideValueReply>(
      apiPath('projects', projectId, 'slots', slotId, 'value'),
      'PUT',
      body
    );
  }

  /** Unlink a slot from its secret (the secret itself stays). */
  unlinkValue(projectId: string, slotId: string): Promise<void> {
    return this._send<void>(apiPath('projects', projectId, 'slots', slotId, 'value'), 'DELETE');
  }

  async userSecrets(): Promise<IUserSecret[]> {
    const reply = await this._request<IUserSecretList>('user-secrets');
    return reply?.secrets ?? [];
  }

  createUserSecret(secret: INewUserSecret): Promise<IUserSecret> {
    return this._send<IUserSecret>('user-secrets', 'POST', secret);
  }

  updateUserSecret(secretId: string, changes: IUserSecretChanges): Promise<IUserSecret> {
    return this._send<IUserSecret>(apiPath('user-secrets', secretId), 'PATCH', changes);
  }

  deleteUserSecret(secretId: string): Promise<void> {
    return this._send<void>(apiPath('user-secrets', secretId), 'DELETE');
  }

  private _send<T>(endPoint: string, method: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    return this._request<T>(endPoint, init);
  }

  private _request: RequestFunction;
}
