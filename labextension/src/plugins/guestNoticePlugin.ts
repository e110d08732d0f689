/**
 * A guest of a shared server (not the owner of its secrets) gets this one notice, and no
 * panel, dialog, view or command (every other plugin returns early).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';

import { EXTENSION_ID, ISecretsModel } from '../tokens';

export const guestNoticePlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:guest-notice`,
  description: 'Tells a guest of a shared server whose secrets these are.',
  autoStart: true,
  requires: [ISecretsModel],
  activate: (app: JupyterFrontEnd, model: ISecretsModel) => {
    const access = model.access;
    if (access.kind === 'guest') {
      void app.restored.then(() => Notification.info(access.notice, { autoClose: 10000 }));
    }
  }
};
