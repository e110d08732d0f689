/**
 * The jupyter-secrets JupyterLab extension: the Secrets sidebar panel, the launch dialog,
 * the User secrets view and their commands — for the server's owner only (a guest of a
 * shared server gets a one-line notice instead, see `access.ts`). Works in JupyterLab 4 and Notebook 7 (the file
 * browser, the palette, the settings and the layout restorer are all optional).
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';
import { Widget } from '@lumino/widgets';

import { decideAccess } from './access';
import { SecretsClient } from './api';
import { keyIcon } from './icons';
import { LaunchDialog } from './launchDialog';
import {
  ISaveGuardEvent,
  missingSlots,
  projectTitle,
  SAVE_GUARD_SCHEMA,
  saveGuardMessage
} from './model';
import { SecretsPanel } from './panel';
import { ProjectModel } from './projectModel';
import {
  CommandIDs,
  DEFAULT_SETTINGS,
  IProject,
  ISecretsSettings,
  PLUGIN_ID
} from './tokens';
import { UserSecretsView } from './userSecretsView';

const CATEGORY = 'Secrets';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Per-user secrets for Jupyter projects: the Secrets panel, the launch dialog and the User secrets view.',
  autoStart: true,
  optional: [
    IDefaultFileBrowser,
    ICommandPalette,
    ISettingRegistry,
    ITranslator,
    ILayoutRestorer,
    ILabShell
  ],
  activate: async (
    app: JupyterFrontEnd,
    fileBrowser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    labShell: ILabShell | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    const __ = trans.__.bind(trans);
    const client = new SecretsClient();

    // Decided once, before any UI: a guest (not the server's owner) gets a notice only —
    // no panel, dialog, view, command or polling.
    const access = await decideAccess(() => client.status(), __);
    if (access.kind === 'guest') {
      void app.restored.then(() => Notification.info(access.notice, { autoClose: 10000 }));
      return;
    }

    const model = new ProjectModel(client);
    model.setStatus(access.status);
    const settings: ISecretsSettings = { ...DEFAULT_SETTINGS };
    let settingsObject: ISettingRegistry.ISettings | null = null;

    // ---- launch dialog -------------------------------------------------------------
    const dismissed = new Set<string>();
    let dialogOpen = false;

    const askMissing = async (project: IProject | null, force: boolean) => {
      if (!project || !project.exists || !project.id || dialogOpen) {
        return;
      }
      if (!force && (!settings.launchDialog || dismissed.has(project.id))) {
        return;
      }
      const slots = missingSlots(project);
      if (!slots.length) {
        if (force) {
          Notification.info(__('No secret is missing in %1.', projectTitle(project, __)), {
            autoClose: 3000
          });
        }
        return;
      }
      dialogOpen = true;
      try {
        const result = await new LaunchDialog({
          project,
          slots,
          client,
          trans: __,
          loadSecrets: () => client.userSecrets()
        }).launch();
        // Whatever was chosen, do not ask again for this project in this page.
        dismissed.add(project.id);
        if (result.dontAsk && settingsObject) {
          await settingsObject.set('launchDialog', false);
        }
      } finally {
        dialogOpen = false;
      }
    };

    let lastProjectId: string | null | undefined = undefined;
    model.projectLoaded.connect((_, project) => {
      if (project.id === lastProjectId) {
        return;
      }
      lastProjectId = project.id;
      void askMissing(project, false);
    });

    // ---- panel ---------------------------------------------------------------------
    const panel = new SecretsPanel({
      model,
      trans,
      openUserSecrets: () => void app.commands.execute(CommandIDs.openUserSecrets),
      askMissing: () => void askMissing(model.project, true)
    });
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, 'jupyter-secrets-panel');

    const poll = new Poll({
      name: 'jupyter-secrets:project',
      factory: () => model.refresh(),
      frequency: { interval: Poll.NEVER, backoff: false },
      standby: () => document.hidden || !panel.isVisible
    });
    const applyInterval = () => {
      const seconds = settings.refreshInterval;
      poll.frequency = {
        interval: seconds > 0 ? Math.max(seconds, 5) * 1000 : Poll.NEVER,
        backoff: true,
        max: 10 * 60 * 1000
      };
    };

    // ---- user secrets view ---------------------------------------------------------
    const tracker = new WidgetTracker<MainAreaWidget<UserSecretsView>>({
      namespace: 'jupyter-secrets'
    });
    let view: MainAreaWidget<UserSecretsView> | null = null;

    app.commands.addCommand(CommandIDs.openUserSecrets, {
      label: __('Open User Secrets'),
      caption: __('Every secret you saved, where it is used; replace, rename, delete'),
      icon: args => (args.isPalette ? undefined : keyIcon),
      execute: () => {
        if (!view || view.isDisposed) {
          view = new MainAreaWidget({ content: new UserSecretsView(client, trans) });
          view.id = 'jupyter-secrets-user-secrets';
          view.title.label = __('User secrets');
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

    app.commands.addCommand(CommandIDs.openPanel, {
      label: __('Open Secrets Panel'),
      caption: __('The secret slots of the current project'),
      execute: () => app.shell.activateById(panel.id)
    });

    app.commands.addCommand(CommandIDs.refresh, {
      label: __('Refresh Secrets'),
      execute: async () => {
        await Promise.all([
          model.refresh(),
          view && !view.isDisposed ? view.content.refresh() : Promise.resolve()
        ]);
      }
    });

    app.commands.addCommand(CommandIDs.askMissing, {
      label: __('Provide Missing Secrets…'),
      caption: __('Ask for the missing values of the current project'),
      execute: () => askMissing(model.project, true)
    });

    for (const command of [
      CommandIDs.openPanel,
      CommandIDs.openUserSecrets,
      CommandIDs.refresh,
      CommandIDs.askMissing
    ]) {
      palette?.addItem({ command, category: CATEGORY });
    }

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openUserSecrets,
        name: () => 'user-secrets'
      });
    }

    // The server's save guard redacted or refused a save: say so, naming slots only.
    app.serviceManager.events?.stream.connect((_, event) => {
      if (event.schema_id === SAVE_GUARD_SCHEMA) {
        const notice = saveGuardMessage(event as unknown as ISaveGuardEvent, __);
        if ((event as unknown as ISaveGuardEvent).action === 'refused') {
          Notification.error(notice, { autoClose: false });
        } else {
          Notification.warning(notice, { autoClose: 8000 });
        }
      }
    });

    // Another tab may have changed something: refresh what is visible on focus.
    window.addEventListener('focus', () => {
      if (panel.isVisible) {
        void model.refresh();
      }
      if (view && view.isVisible) {
        void view.content.refresh();
      }
    });

    // ---- follow the file browser, and in Notebook 7's document pages the document --------
    const localPath = (path: string) => app.serviceManager.contents.localPath(path);
    const documentDir = (widget: Widget | null): string | null => {
      const path = (widget as unknown as { context?: { path?: string } } | null)?.context?.path;
      return typeof path === 'string' ? PathExt.dirname(localPath(path)) : null;
    };
    const follow = () => {
      fileBrowser?.model.pathChanged.connect((_, change) => {
        void model.setPath(localPath(change.newValue));
      });
      // JupyterLab's shell: the file browser says where the user is. Other shells (Notebook
      // 7 opens one document per page): the current document's folder comes first.
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
        void model.refresh();
      }
    };

    const loadSettings = async () => {
      if (!settingRegistry) {
        return;
      }
      try {
        settingsObject = await settingRegistry.load(PLUGIN_ID);
        const read = () => {
          settings.launchDialog = settingsObject!.get('launchDialog').composite !== false;
          const interval = Number(settingsObject!.get('refreshInterval').composite);
          settings.refreshInterval = Number.isFinite(interval)
            ? interval
            : DEFAULT_SETTINGS.refreshInterval;
          applyInterval();
        };
        read();
        settingsObject.changed.connect(read);
      } catch (error) {
        console.warn('jupyter-secrets: cannot load the settings', error);
      }
    };

    applyInterval();
    void Promise.all([app.restored, loadSettings()]).then(async () => {
      if (fileBrowser) {
        await fileBrowser.model.restored;
      }
      follow();
    });
  }
};

export default plugin;
