/**
 * The "Secrets" sidebar panel (a `SidePanel`): the server's status notices, the project of
 * the followed folder with its slots and this user's state of each, and the way to the User
 * secrets view. Slot rows, the value form and the "make a project" form have files of their own.
 */
import { ToolbarButton } from '@jupyterlab/apputils';
import { ReactWidget, refreshIcon, SidePanel } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ITranslator } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import type { IProject, ISlotInput } from '../apiTypes';
import { ActionButton, ErrorMessage } from '../components/common';
import { useSignalValue } from '../components/hooks';
import { SlotForm } from '../components/slotForm';
import { StatusBanner } from '../components/statusBanner';
import { countStates, ITrans, projectTitle } from '../format';
import { keyIcon } from '../icons';
import { ISecretsModel } from '../tokens';
import { CREATED_HERE, MakeProject, NoProject, slotFilePath } from './noProject';
import { SlotItem } from './slotItem';

export interface IPanelOptions {
  model: ISecretsModel;
  trans: ITrans;
  openUserSecrets: () => void;
  /** Opens the launch dialog for the missing values; none when that plugin is off. */
  askMissing: (() => void) | null;
  /** JupyterLab's own strings of the side panel. */
  translator?: ITranslator;
}

export class SecretsPanel extends SidePanel {
  constructor(options: IPanelOptions) {
    super({ content: new Panel(), translator: options.translator });
    const { model, trans } = options;
    this._model = model;
    this.id = 'jupyter-secrets-panel';
    this.addClass('jp-secrets-Panel');
    this.node.dataset.testid = 'secrets-panel';
    this.title.icon = keyIcon;
    this.title.caption = trans.__('Secrets');

    const title = new Widget({ node: document.createElement('h2') });
    title.node.textContent = trans.__('Secrets');
    title.addClass('jp-secrets-Title');
    this.header.addWidget(title);
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh'),
        dataset: { testid: 'secrets-refresh' },
        onClick: () => void model.refreshProject()
      })
    );
    const body = ReactWidget.create(<PanelBody {...options} />);
    body.addClass('jp-secrets-PanelBody');
    (this.content as Panel).addWidget(body);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._model.refreshProject();
  }

  private _model: ISecretsModel;
}

export function PanelBody(props: IPanelOptions): JSX.Element {
  const { model, trans } = props;
  const status = useSignalValue(model.statusChanged, () => model.status);
  const project = useSignalValue(model.projectChanged, () => model.project);
  const { loading, error } = useSignalValue(model.loadStateChanged, () => ({
    loading: model.loading,
    error: model.error
  }));
  const [adding, setAdding] = React.useState(false);

  return (
    <div className="jp-secrets-PanelContent">
      <StatusBanner status={status} trans={trans} />
      <ErrorMessage message={error} testId="secrets-error" />
      {project === null ? (
        <div className="jp-secrets-Empty">{loading ? trans.__('Loading…') : ''}</div>
      ) : !project.exists || !project.id ? (
        <NoProject model={model} trans={trans} />
      ) : (
        <>
          <ProjectHeader project={project} model={model} trans={trans} />
          {project.error && <ErrorMessage message={project.error} testId="secrets-project-error" />}
          <ul className="jp-secrets-SlotList" data-testid="secrets-slots">
            {project.slots.map(slot => (
              <SlotItem
                key={slot.id}
                slot={slot}
                projectId={project.id!}
                model={model}
                trans={trans}
              />
            ))}
          </ul>
          {project.slots.length === 0 && !adding && (
            <p className="jp-secrets-Empty">
              {trans.__('No secret slots yet. Add one for each secret this project needs.')}
            </p>
          )}
          {adding ? (
            <SlotForm
              trans={trans}
              onCancel={() => setAdding(false)}
              onSubmit={async body => {
                await model.addSlot(project.id!, body as ISlotInput);
                setAdding(false);
              }}
            />
          ) : (
            <div className="jp-secrets-Actions">
              <ActionButton kind="accept" testId="secrets-add-slot" onClick={() => setAdding(true)}>
                {trans.__('Add slot')}
              </ActionButton>
              {props.askMissing && countStates(project.slots).missing > 0 && (
                <ActionButton testId="secrets-ask-missing" onClick={props.askMissing}>
                  {trans.__('Fill missing…')}
                </ActionButton>
              )}
            </div>
          )}
        </>
      )}
      <footer className="jp-secrets-Footer">
        <ActionButton testId="secrets-open-user-secrets" onClick={props.openUserSecrets}>
          {trans.__('User secrets…')}
        </ActionButton>
      </footer>
    </div>
  );
}

function ProjectHeader(props: {
  project: IProject;
  model: ISecretsModel;
  trans: ITrans;
}): JSX.Element {
  const { project, model, trans } = props;
  const folder = useSignalValue(model.projectChanged, () => model.path);
  const counts = countStates(project.slots);
  // The followed folder may be a subfolder of the project (a project inside a project is made
  // from here); say which project it belongs to.
  const inside = folder !== project.path;
  return (
    <div className="jp-secrets-Project" data-testid="secrets-project">
      <div className="jp-secrets-ProjectName" title={trans.__('Project')}>
        {projectTitle(project, trans)}
      </div>
      <div className="jp-secrets-ProjectPath" title={trans.__('Project folder')}>
        /{project.path}
      </div>
      {inside && (
        <div className="jp-secrets-BelongsTo" data-testid="secrets-belongs-to">
          {trans.__(
            'This folder (/%1) belongs to the project "%2" (/%3).',
            folder,
            projectTitle(project, trans),
            project.path
          )}
          <MakeProject
            model={model}
            trans={trans}
            label={trans.__('Make /%1 its own project', folder)}
          />
        </div>
      )}
      {project.id && CREATED_HERE.has(project.id) && (
        <div className="jp-secrets-Hint" data-testid="secrets-commit-hint">
          {trans.__(
            'New project: commit %1 so that everyone gets its slots.',
            slotFilePath(project.path)
          )}
        </div>
      )}
      {project.slots.length > 0 && (
        <div className="jp-secrets-Counts">
          {trans.__('%1 of %2 provided', counts.provided, project.slots.length)}
        </div>
      )}
    </div>
  );
}
