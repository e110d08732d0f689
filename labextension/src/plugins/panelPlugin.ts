/**
 * The Secrets sidebar panel, its polling while visible, and the commands "Open Secrets
 * Panel" (palette, and the Settings menu of `schema/plugin.json`) and "Refresh Secrets".
 * In Notebook 7 the panel is in the left sidebar of every page; its shell's `activateById`
 * does not open side panels, so the command expands the sidebar on it.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';

import { FormKeys } from '../focus';
import { keyIcon } from '../icons';
import { SecretsPanel } from '../panel/panel';
import { CommandIDs, EXTENSION_ID, ISecretsModel, ISecretsSettings } from '../tokens';

export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:panel`,
  description: 'The Secrets sidebar panel: the current project, its slots and their values.',
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
    const panel = new SecretsPanel({
      model,
      trans,
      translator: translator ?? undefined,
      openUserSecrets: () => void app.commands.execute(CommandIDs.openUserSecrets),
      askMissing: () => {
        if (app.commands.hasCommand(CommandIDs.askMissing)) {
          void app.commands.execute(CommandIDs.askMissing);
        }
      }
    });
    app.shell.add(panel, 'left', { rank: 650 });
    // Escape cancels an inline form; focus returns to the opener after Save, Cancel, Unlink.
    new FormKeys(panel.node).attach();
    restorer?.add(panel, 'jupyter-secrets-panel');

    // Re-read the project while the panel is visible (the setting's interval, 0 for never).
    const poll = new Poll({
      name: 'jupyter-secrets:project',
      factory: () => model.refreshProject(),
      frequency: { interval: Poll.NEVER, backoff: false },
      standby: () => document.hidden || !panel.isVisible
    });
    const applyInterval = (settings: ISecretsSettings) => {
      const seconds = settings.refreshInterval;
      poll.frequency = {
        interval: seconds > 0 ? Math.max(seconds, 5) * 1000 : Poll.NEVER,
        backoff: true,
        max: 10 * 60 * 1000
      };
    };
    applyInterval(model.settings);
    model.settingsChanged.connect((_, settings) => applyInterval(settings));

    // Another tab may have changed something.
    window.addEventListener('focus', () => {
      if (panel.isVisible) {
        void model.refreshProject();
      }
    });

    app.commands.addCommand(CommandIDs.openPanel, {
      label: args => (args.isMenu ? trans.__('Secrets Panel') : trans.__('Open Secrets Panel')),
      caption: trans.__('The secret slots of the current project'),
      icon: args => (args.isPalette ? undefined : keyIcon),
      execute: () => {
        const shell = app.shell as JupyterFrontEnd.IShell & { expandLeft?: (id: string) => void };
        if (!labShell && shell.expandLeft) {
          shell.expandLeft(panel.id); // Notebook 7
        } else {
          app.shell.activateById(panel.id);
        }
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Secrets'),
      execute: () => model.refresh()
    });
    for (const command of [CommandIDs.openPanel, CommandIDs.refresh]) {
      palette?.addItem({ command, category: trans.__('Secrets') });
    }
  }
};
