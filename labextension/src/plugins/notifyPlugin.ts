/**
 * Notifications: every write that succeeded — from the panel, User secrets, the launch
 * dialog or another plugin — is told once, in the words of `notify.ts`.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { notifyChange } from '../notify';
import { EXTENSION_ID, ISecretsModel } from '../tokens';

export const notifyPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:notify`,
  description: 'Tells each change of slots, values and secrets in a notification.',
  autoStart: true,
  requires: [ISecretsModel],
  optional: [ITranslator],
  activate: (_app: JupyterFrontEnd, model: ISecretsModel, translator: ITranslator | null) => {
    if (model.access.kind === 'guest') {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    model.changed.connect((_, change) => notifyChange(change, trans));
  }
};
