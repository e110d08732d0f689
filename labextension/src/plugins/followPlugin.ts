/**
 * The model follows where the user is: the file browser's folder in JupyterLab; in Notebook
 * 7's document pages (no file browser there), the current document's folder first.
 */
import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { Widget } from '@lumino/widgets';

import { EXTENSION_ID, ISecretsModel } from '../tokens';

export const followPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:follow`,
  description: 'The Secrets model follows the file browser (or the current document).',
  autoStart: true,
  requires: [ISecretsModel],
  optional: [IDefaultFileBrowser, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    model: ISecretsModel,
    fileBrowser: IDefaultFileBrowser | null,
    labShell: ILabShell | null
  ) => {
    if (model.access.kind === 'guest') {
      return;
    }
    const localPath = (path: string) => app.serviceManager.contents.localPath(path);
    const documentDir = (widget: Widget | null): string | null => {
      const path = (widget as unknown as { context?: { path?: string } } | null)?.context?.path;
      return typeof path === 'string' ? PathExt.dirname(localPath(path)) : null;
    };
    const follow = () => {
      fileBrowser?.model.pathChanged.connect((_, change) => {
        void model.setPath(localPath(change.newValue));
      });
      const shell = app.shell as JupyterFrontEnd.IShell & {
        currentChanged?: { connect: (fn: () => void) => void };
      };
      if (!labShell) {
        shell.currentChanged?.connect(() => {
          const dir = documentDir(app.shell.currentWidget);
          if (dir !== null) {
            void model.setPath(dir);
          }
        });
      }
      const start = labShell ? null : documentDir(app.shell.currentWidget);
      if (start !== null) {
        void model.setPath(start);
      } else if (fileBrowser) {
        void model.setPath(localPath(fileBrowser.model.path));
      } else {
        void model.setPath(model.path); // the launch: entering the root's project
      }
    };
    // The first project load decides on the launch dialog: the settings come first.
    void Promise.all([app.restored, model.settingsLoaded]).then(async () => {
      if (fileBrowser) {
        await fileBrowser.model.restored;
      }
      follow();
    });
  }
};
