/**
 * The server's save guard redacted or refused a save: say so, naming slots, never values.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ISaveGuardEvent, SAVE_GUARD_SCHEMA, saveGuardMessage } from '../format';
import { EXTENSION_ID, ISecretsModel } from '../tokens';

export const saveGuardPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:save-guard-notices`,
  description: 'Notifications of the save guard (values redacted from a file, or a save refused).',
  autoStart: true,
  requires: [ISecretsModel],
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, model: ISecretsModel, translator: ITranslator | null) => {
    if (model.access.kind === 'guest') {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    app.serviceManager.events?.stream.connect((_, event) => {
      if (event.schema_id !== SAVE_GUARD_SCHEMA) {
        return;
      }
      const guard = event as unknown as ISaveGuardEvent;
      const notice = saveGuardMessage(guard, trans);
      if (guard.action === 'refused') {
        Notification.error(notice, { autoClose: false });
      } else {
        Notification.warning(notice, { autoClose: 8000 });
      }
    });
  }
};
