/**
 * The User secrets view in the main area, its command "Open User Secrets", and its place in
 * the restored layout.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { keyIcon } from '../icons';
import { CommandIDs, EXTENSION_ID, ISecretsModel } from '../tokens';
import { UserSecretsView } from '../userSecrets/userSecretsView';

export const userSecretsPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:user-secrets`,
  description:
    'The User secrets view: every saved secret, where it is used; replace, rename, delete.',
  autoStart: true,
  requires: [ISecretsModel],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    model: ISecretsModel,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    if (model.access.kind === 'guest') {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    const tracker = new WidgetTracker<MainAreaWidget<UserSecretsView>>({
      namespace: 'jupyter-secrets'
    });
    let view: MainAreaWidget<UserSecretsView> | null = null;

    app.commands.addCommand(CommandIDs.openUserSecrets, {
      label: trans.__('Open User Secrets'),
      caption: trans.__('Every secret you saved, where it is used; replace, rename, delete'),
      icon: args => (args.isPalette ? undefined : keyIcon),
      execute: () => {
        if (!view || view.isDisposed) {
          view = new MainAreaWidget({ content: new UserSecretsView(model, trans) });
          view.id = 'jupyter-secrets-user-secrets';
          view.title.label = trans.__('User secrets');
          view.title.icon = keyIcon;
          view.title.closable = true;
          void tracker.add(view);
        }
        if (!view.isAttached) {
          app.shell.add(view, 'main');
        }
        app.shell.activateById(view.id);
        return view;
      }
    });
    palette?.addItem({ command: CommandIDs.openUserSecrets, category: trans.__('Secrets') });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openUserSecrets,
        name: () => 'user-secrets'
      });
    }

    // Another tab may have changed something.
    window.addEventListener('focus', () => {
      if (view?.isVisible) {
        void view.content.refresh();
      }
    });
  }
};
