/**
 * The launch dialog: at launch, and whenever the user enters a project with missing values,
 * ask for them (once per project and page, unless the setting is off); and the command
 * "Provide Missing Secrets…". It follows the model's `projectEntered` (a folder entered, the
 * first one at launch included), never `projectChanged`: a background refresh of the panel
 * never pops it up over what the user is doing.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { IProject } from '../apiTypes';
import { missingSlots, projectTitle } from '../format';
import { LaunchDialog } from '../launchDialog/launchDialog';
import { notifyInfo } from '../notify';
import { CommandIDs, EXTENSION_ID, ISecretsModel } from '../tokens';

export const launchDialogPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:launch-dialog`,
  description: 'Asks for the missing secret values of the project the user is in.',
  autoStart: true,
  requires: [ISecretsModel],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    model: ISecretsModel,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ) => {
    if (model.access.kind === 'guest') {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyter_secrets');
    const dismissed = new Set<string>();
    let dialogOpen = false;

    const askMissing = async (project: IProject | null, force: boolean) => {
      if (!project || !project.exists || !project.id || dialogOpen) {
        return;
      }
      if (!force && (!model.settings.launchDialog || dismissed.has(project.id))) {
        return;
      }
      const slots = missingSlots(project);
      if (!slots.length) {
        if (force) {
          notifyInfo(trans.__('No secret is missing in %1.', projectTitle(project, trans)));
        }
        return;
      }
      dialogOpen = true;
      try {
        const result = await new LaunchDialog({ project, slots, model, trans }).launch();
        // Whatever was chosen, do not ask again for this project in this page.
        dismissed.add(project.id);
        if (result.dontAsk) {
          await model.setSetting('launchDialog', false);
        }
      } finally {
        dialogOpen = false;
      }
    };

    // A project entered (not the same one again from a folder inside it): ask what it misses.
    let lastProjectId: string | null | undefined = undefined;
    model.projectEntered.connect((_, project) => {
      if (project.id === lastProjectId) {
        return;
      }
      lastProjectId = project.id;
      void askMissing(project, false);
    });

    app.commands.addCommand(CommandIDs.askMissing, {
      label: trans.__('Provide Missing Secrets…'),
      caption: trans.__('Ask for the missing values of the current project'),
      execute: () => askMissing(model.project, true)
    });
    palette?.addItem({ command: CommandIDs.askMissing, category: trans.__('Secrets') });
  }
};
