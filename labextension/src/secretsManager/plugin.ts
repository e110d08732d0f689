/**
 * Gives jupyter-secrets-manager's `ISecretsManager` (when the `jupyter_secrets_manager`
 * extension is installed) our connector, so that every extension using the manager keeps its
 * secrets encrypted in this server's store.
 *
 * The manager takes one connector and locks itself if a second one is set: our package.json
 * disables the package's default in-memory connector (`jupyter-secrets-manager:connector`).
 * A guest of a shared server may not use the owner's store: the manager gets the package's
 * in-memory connector then, so that extensions still work, for the page's life only.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { InMemoryConnector, ISecretsManager } from 'jupyter-secrets-manager';

import { requestAPI } from '../request';
import { EXTENSION_ID, ISecretsModel } from '../tokens';
import { RequestFunction, ServerSecretsConnector } from './connector';

export const SECRETS_MANAGER_PLUGIN_ID = `${EXTENSION_ID}:secrets-manager-connector`;

export const secretsManagerPlugin: JupyterFrontEndPlugin<void> = {
  id: SECRETS_MANAGER_PLUGIN_ID,
  description:
    "A jupyter-secrets-manager connector keeping extensions' secrets encrypted in this server's store.",
  autoStart: true,
  optional: [ISecretsManager, ISecretsModel],
  activate: (
    app: JupyterFrontEnd,
    manager: ISecretsManager | null,
    model: ISecretsModel | null
  ): void => {
    if (!manager) {
      return; // jupyter_secrets_manager is not installed: no extension uses the manager
    }
    const settings = app.serviceManager.serverSettings;
    const request: RequestFunction = (endPoint, init, query) =>
      requestAPI(endPoint, init, query, settings);
    const guest = model?.access.kind === 'guest';
    try {
      manager.setConnector(guest ? new InMemoryConnector() : new ServerSecretsConnector(request));
    } catch (error) {
      console.error(
        'jupyter-secrets: the secrets manager already had a connector and is now locked; ' +
          'disable the other connector plugin (jupyter-secrets-manager:connector?)',
        error
      );
    }
  }
};
