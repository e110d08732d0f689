/**
 * A connector of jupyter-secrets-manager (`ISecretsConnector`) backed by this server's
 * encrypted store, instead of the package's default that keeps values in the page's memory
 * (or, with its example connector, in plain `localStorage`).
 *
 * The manager calls it with its key `"<namespace>:<id>"` only after checking the caller's
 * token for that namespace (`SecretsManager.sign`), so the connector never decides who may
 * read: it is handed to the manager alone (`setConnector`) and exported to no other plugin.
 * Each call is one request of `/api/secrets/extension-secrets` (see docs/API.md); values are
 * never cached here, nor written to `localStorage`.
 *
 * Types only from the package: this module costs nothing at load and runs under jest.
 */
import type { ISecret, ISecretsConnector, ISecretsList } from 'jupyter-secrets-manager';

import type { components } from '../apiSchema';
import { apiPath, Query, requestAPI, SecretsApiError } from '../request';

/** An extension's secret without its value, as the server lists it. */
export type IExtensionSecret = components['schemas']['ExtensionSecret'];

/** `GET /api/secrets/extension-secrets?namespace=`. */
export interface IExtensionSecretList {
  namespace: string;
  secrets: IExtensionSecret[];
}

/** What the connector needs from `requestAPI`. */
export type RequestFunction = <T>(
  endPoint: string,
  init?: RequestInit,
  query?: Query
) => Promise<T>;

const ROUTE = 'extension-secrets';

export class ServerSecretsConnector implements ISecretsConnector {
  constructor(request: RequestFunction = requestAPI) {
    this._request = request;
  }

  /** The secret of a key, or `undefined` when there is none. */
  async fetch(key: string): Promise<ISecret | undefined> {
    try {
      const reply = await this._request<ISecret>(apiPath(ROUTE, key));
      return { namespace: reply.namespace, id: reply.id, value: reply.value };
    } catch (error) {
      if (error instanceof SecretsApiError && error.status === 404) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Save a secret under the manager's key. The key decides where it goes (the manager built
   * it after checking the caller's token); a secret whose own namespace and id do not make up
   * that key is refused here, and again by the server.
   */
  async save(key: string, secret: ISecret): Promise<void> {
    if (!secret || `${secret.namespace}:${secret.id}` !== key) {
      throw new Error(
        `jupyter-secrets: the secret's namespace and id do not match the key "${key}"`
      );
    }
    await this._request<IExtensionSecret>(apiPath(ROUTE, key), {
      method: 'PUT',
      body: JSON.stringify({ namespace: secret.namespace, id: secret.id, value: secret.value })
    });
  }

  /** Delete the secret of a key (nothing to do when there is none). */
  async remove(key: string): Promise<void> {
    try {
      await this._request<void>(apiPath(ROUTE, key), { method: 'DELETE' });
    } catch (error) {
      if (!(error instanceof SecretsApiError && error.status === 404)) {
        throw error;
      }
    }
  }

  /**
   * A namespace's secrets, as the manager's `list` returns them (keys and secrets). The
   * server lists ids only; each value is then fetched by its exact key.
   */
  async list(namespace?: string): Promise<ISecretsList> {
    if (!namespace) {
      return { ids: [], values: [] };
    }
    const reply = await this._request<IExtensionSecretList>(ROUTE, {}, { namespace });
    const ids: string[] = [];
    const values: ISecret[] = [];
    for (const item of reply.secrets) {
      const secret = await this.fetch(item.name);
      if (secret) {
        ids.push(item.name);
        values.push(secret);
      }
    }
    return { ids, values };
  }

  private readonly _request: RequestFunction;
}
