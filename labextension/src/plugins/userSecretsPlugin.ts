/**
 * The User secrets view in the main area, its command "Open User Secrets" (palette, and the
 * Settings menu of `schema/plugin.json`), and its place in the restored layout.
 *
 * Notebook 7's shell keeps one widget in its main area (the tree, or the one document of a
 * page) and ignores any other added there. On the tree page the view becomes one more tab of
 * the tree (beside Files and Running); on a document page the command opens the tree page in a
 * new browser tab with the view shown, as Notebook 7 opens everything in a page of its own.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { TabPanel, Widget } from '@lumino/widgets';

import { FormKeys } from '../focus';
import { keyIcon } from '../icons';
import { CommandIDs, EXTENSION_ID, ISecretsModel } from '../tokens';
import { UserSecretsView } from '../userSecrets/userSecretsView';

/** The URL fragment that opens the view on Notebook 7's tree page. */
export const USER_SECRETS_HASH = '#jupyter-secrets:user-secrets';

export const userSecretsPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:user-secrets`,
  description:
    'The User secrets view: every saved secret, where it is used; replace, rename, delete.',
  autoStart: true,
  requires: [ISecretsModel],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    model: ISecretsModel,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    labShell: ILabShell | null
  ) => {
    if (model.access.kind === 'guest') {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    const tracker = new WidgetTracker<MainAreaWidget<UserSecretsView>>({
      namespace: 'jupyter-secrets'
    });
    let view: MainAreaWidget<UserSecretsView> | null = null;
    // Read now: Notebook 7's router may rewrite the address once the page is restored.
    const askedByUrl = window.location.hash === USER_SECRETS_HASH;

    /** Notebook 7's tree page: its main widget is a tab panel (Files, Running, ...). */
    const notebookTree = (): TabPanel | null => {
      if (labShell) {
        return null;
      }
      const main = Array.from(app.shell.widgets('main'))[0] as Widget | undefined;
      return main instanceof TabPanel ? main : null;
    };

    const createView = () => {
      const widget = new MainAreaWidget({ content: new UserSecretsView(model, trans) });
      widget.id = 'jupyter-secrets-user-secrets';
      widget.title.label = trans.__('User secrets');
      widget.title.icon = keyIcon;
      widget.title.closable = true;
      // Escape cancels an inline form; focus returns to the opener after Save or Cancel.
      new FormKeys(widget.node).attach();
      void tracker.add(widget);
      return widget;
    };

    app.commands.addCommand(CommandIDs.openUserSecrets, {
      label: args => (args.isMenu ? trans.__('User Secrets…') : trans.__('Open User Secrets')),
      caption: trans.__('Every secret you saved, where it is used; replace, rename, delete'),
      icon: args => (args.isPalette ? undefined : keyIcon),
      execute: () => {
        const tree = notebookTree();
        if (!labShell && !tree) {
          // A Notebook 7 document page: its main area holds the document only.
          const url = URLExt.join(PageConfig.getBaseUrl(), 'tree') + USER_SECRETS_HASH;
          window.open(url, '_blank');
          return null;
        }
        if (!view || view.isDisposed) {
          view = createView();
        }
        if (tree) {
          if (view.parent !== tree) {
            tree.addWidget(view);
          }
          tree.currentWidget = view;
        } else if (!view.isAttached) {
          app.shell.add(view, 'main');
        }
        app.shell.activateById(view.id);
        return view;
      }
    });
    palette?.addItem({ command: CommandIDs.openUserSecrets, category: trans.__('Secrets') });

    if (restorer && labShell) {
      void restorer.restore(tracker, {
        command: CommandIDs.openUserSecrets,
        name: () => 'user-secrets'
      });
    }
    if (askedByUrl) {
      void app.restored.then(() => app.commands.execute(CommandIDs.openUserSecrets));
    }

    // Another tab may have changed something.
    window.addEventListener('focus', () => {
      if (view?.isVisible) {
        void view.content.refresh();
      }
    });
  }
};
