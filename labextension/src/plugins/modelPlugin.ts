/**
 * Provides `ISecretsModel`. Activation waits for the one access check (`GET /status`, at most
 * `ACCESS_TIMEOUT_MS`), so that every other plugin knows whether to add any UI at all; the
 * owner's settings are then loaded (the model's `settingsLoaded`).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ACCESS_TIMEOUT_MS } from '../access';
import type { IStatus } from '../apiTypes';
import { SecretsClient } from '../client';
import { SecretsModel } from '../model';
import { ISecretsModel, PLUGIN_ID } from '../tokens';

/**
 * The access check is on JupyterLab's start path: activation waits for its answer, and the
 * shell is attached only once every plugin is active. So it is sent as soon as this code is
 * loaded, while JupyterLab still loads the other extensions and its settings, rather than at
 * activation; activation then mostly finds the answer there (the `lab_load` benchmark).
 */
const sentAtLoad: Promise<IStatus> = new SecretsClient().status();
sentAtLoad.catch(() => undefined); // handled at activation; not an "unhandled rejection" before

export const modelPlugin: JupyterFrontEndPlugin<ISecretsModel> = {
  id: PLUGIN_ID,
  description: 'The secrets model: status, current project, user secrets, settings.',
  autoStart: true,
  provides: ISecretsModel,
  optional: [ISettingRegistry, ITranslator],
  activate: async (
    _app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): Promise<ISecretsModel> => {
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    const model = new SecretsModel({ trans });
    const access = await model.checkAccess(ACCESS_TIMEOUT_MS, sentAtLoad);
    if (access.kind === 'guest' || !settingRegistry) {
      model.connectSettings(null);
      return model;
    }
    settingRegistry.load(PLUGIN_ID).then(
      settings => model.connectSettings(settings),
      error => {
        console.warn('jupyter-secrets: cannot load the settings', error);
        model.connectSettings(null);
      }
    );
    return model;
  }
};
