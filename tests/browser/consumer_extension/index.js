/**
 * Test only: a genuine consumer of jupyter-secrets-manager, built as its own prebuilt
 * (federated) extension by `make consumer-extension` and loaded by the browser test's server
 * (tests/browser/test_secrets_manager.py), never installed or shipped.
 *
 * It signs its plugin with the manager, as any extension author does, and offers the test a
 * few calls on `window.jupyterSecretsTestConsumer` that go through `ISecretsManager` with its
 * own token. `forgedRead` tries another namespace with a token it made up: the manager must
 * refuse it.
 */
import { ISecretsManager, SecretsManager } from "jupyter-secrets-manager";

const PLUGIN_ID = "jupyter-secrets-test-consumer:plugin";

const plugin = SecretsManager.sign(PLUGIN_ID, (token) => ({
  id: PLUGIN_ID,
  description: "Test only: keeps a secret through ISecretsManager.",
  autoStart: true,
  requires: [ISecretsManager],
  activate: (app, manager) => {
    window.jupyterSecretsTestConsumer = {
      namespace: PLUGIN_ID,
      save: (id, value) =>
        manager.set(token, PLUGIN_ID, id, { namespace: PLUGIN_ID, id, value }),
      read: async (id) =>
        (await manager.get(token, PLUGIN_ID, id))?.value ?? null,
      remove: (id) => manager.remove(token, PLUGIN_ID, id),
      list: async () => (await manager.list(token, PLUGIN_ID))?.ids ?? [],
      forgedRead: async (namespace, id) => {
        try {
          await manager.get(Symbol(namespace), namespace, id);
          return "read";
        } catch (error) {
          return `refused: ${error.message}`;
        }
      },
    };
  },
}));

export default plugin;
