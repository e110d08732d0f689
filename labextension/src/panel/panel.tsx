/**
 * The "Secrets" sidebar panel: the project of the file browser's folder, its slots and
 * this user's state of each; add / edit / remove slots; provide, change or unlink values.
 */
import { Dialog, showDialog, Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { Button, ErrorMessage, Field, useUid, ValueChooser } from './components';
import { keyIcon } from './icons';
import {
  countStates,
  EMPTY_CHOICE,
  errorsFor,
  FieldErrors,
  folderName,
  IValueChoice,
  messageOf,
  projectTitle,
  provideBody,
  stateBadge,
  Translate
} from './model';
import { ProjectModel } from './projectModel';
import { SlotForm } from './slotForm';
import { StatusBanner } from './statusBanner';
import { IProject, ISlot } from './tokens';

export interface IPanelOptions {
  model: ProjectModel;
  trans: TranslationBundle;
  openUserSecrets: () => void;
  askMissing: () => void;
}

export class SecretsPanel extends ReactWidget {
  constructor(options: IPanelOptions) {
    super();
    this._options = options;
    this.id = 'jupyter-secrets-panel';
    this.addClass('jp-secrets-Panel');
    this.node.dataset.testid = 'secrets-panel';
    this.title.icon = keyIcon;
    this.title.caption = options.trans.__('Secrets');
    options.model.stateChanged.connect(() => this.update(), this);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._options.model.refresh();
  }

  render(): JSX.Element {
    return <PanelView {...this._options} />;
  }

  private _options: IPanelOptions;
}

function PanelView(props: IPanelOptions): JSX.Element {
  const { model } = props;
  const trans: Translate = props.trans.__.bind(props.trans);
  const project = model.project;
  const [adding, setAdding] = React.useState(false);

  return (
    <div className="jp-secrets-PanelBody">
      <header className="jp-secrets-Header">
        <h2 className="jp-secrets-Title">{trans('Secrets')}</h2>
        <button
          type="button"
          className="jp-secrets-IconButton"
          title={trans('Refresh')}
          aria-label={trans('Refresh')}
          data-testid="secrets-refresh"
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" className="jp-secrets-Icon" />
        </button>
      </header>
      <StatusBanner status={model.status} trans={trans} />
      <ErrorMessage message={model.error} testId="secrets-error" />
      {project === null ? (
        <div className="jp-secrets-Empty">{model.loading ? trans('Loading…') : ''}</div>
      ) : !project.exists ? (
        <NoProject model={model} trans={trans} />
      ) : (
        <>
          <ProjectHeader project={project} trans={trans} />
          {project.error && (
            <ErrorMessage message={project.error} testId="secrets-project-error" />
          )}
          <ul className="jp-secrets-SlotList" data-testid="secrets-slots">
            {project.slots.map(slot => (
              <SlotItem key={slot.id} slot={slot} project={project} model={model} trans={trans} />
            ))}
          </ul>
          {project.slots.length === 0 && !adding && (
            <p className="jp-secrets-Empty">
              {trans('No secret slots yet. Add one for each secret this project needs.')}
            </p>
          )}
          {adding ? (
            <SlotForm
              trans={trans}
              onCancel={() => setAdding(false)}
              onSubmit={async body => {
                await model.client.addSlot(project.id!, body);
                setAdding(false);
              }}
            />
          ) : (
            <div className="jp-secrets-Actions">
              <Button kind="accept" testId="secrets-add-slot" onClick={() => setAdding(true)}>
                {trans('Add slot')}
              </Button>
              {countStates(project.slots).missing > 0 && (
                <Button testId="secrets-ask-missing" onClick={props.askMissing}>
                  {trans('Fill missing…')}
                </Button>
              )}
            </div>
          )}
        </>
      )}
      <footer className="jp-secrets-Footer">
        <Button testId="secrets-open-user-secrets" onClick={props.openUserSecrets}>
          {trans('User secrets…')}
        </Button>
      </footer>
    </div>
  );
}

function ProjectHeader(props: { project: IProject; trans: Translate }): JSX.Element {
  const { project, trans } = props;
  const counts = countStates(project.slots);
  return (
    <div className="jp-secrets-Project" data-testid="secrets-project">
      <div className="jp-secrets-ProjectName" title={trans('Project')}>
        {projectTitle(project, trans)}
      </div>
      <div className="jp-secrets-ProjectPath" title={trans('Project folder')}>
        /{project.path}
      </div>
      {project.slots.length > 0 && (
        <div className="jp-secrets-Counts">
          {trans('%1 of %2 provided', counts.provided, project.slots.length)}
        </div>
      )}
    </div>
  );
}

function NoProject(props: { model: ProjectModel; trans: Translate }): JSX.Element {
  const { model, trans } = props;
  const uid = useUid('jp-secrets-project');
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState('');
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await model.client.createProject(model.path, name.trim());
      setOpen(false);
    } catch (error) {
      setErrors(errorsFor(error, ['name', 'path']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="jp-secrets-NoProject" data-testid="secrets-no-project">
      <p>
        {trans(
          'This folder (/%1) is not in a project with secret slots.',
          model.path
        )}
      </p>
      {open ? (
        <form className="jp-secrets-Form" onSubmit={submit} data-testid="secrets-project-form">
          <Field
            id={`${uid}-name`}
            label={trans('Project name')}
            error={errors.name ?? errors.path}
            testId="secrets-project-name"
          >
            <input
              id={`${uid}-name`}
              className="jp-mod-styled jp-secrets-Input"
              value={name}
              required
              autoFocus
              data-testid="secrets-project-name"
              onChange={e => setName(e.target.value)}
            />
          </Field>
          <ErrorMessage errors={errors} />
          <div className="jp-secrets-FormButtons">
            <Button kind="reject" onClick={() => setOpen(false)}>
              {trans('Cancel')}
            </Button>
            <Button kind="accept" type="submit" disabled={busy} testId="secrets-project-create">
              {trans('Create project')}
            </Button>
          </div>
        </form>
      ) : (
        <Button
          kind="accept"
          testId="secrets-make-project"
          onClick={() => {
            setName(folderName(model.path, trans('Project')));
            setOpen(true);
          }}
        >
          {trans('Make this folder a project')}
        </Button>
      )}
    </div>
  );
}

function SlotItem(props: {
  slot: ISlot;
  project: IProject;
  model: ProjectModel;
  trans: Translate;
}): JSX.Element {
  const { slot, project, model, trans } = props;
  const [mode, setMode] = React.useState<'view' | 'edit' | 'provide'>('view');
  const badge = stateBadge(slot.state, trans);
  const pid = project.id!;

  const remove = async () => {
    const result = await showDialog({
      title: trans('Remove slot "%1"?', slot.name),
      body: trans(
        'The slot is removed from the project file for everyone. Your secret itself stays in your secrets.'
      ),
      buttons: [
        Dialog.cancelButton({ label: trans('Cancel') }),
        Dialog.warnButton({ label: trans('Remove') })
      ]
    });
    if (result.button.accept) {
      try {
        await model.client.removeSlot(pid, slot.id);
      } catch (error) {
        Notification.error(trans('Cannot remove the slot: %1', messageOf(error)), {
          autoClose: 8000
        });
      }
    }
  };

  const unlink = async () => {
    try {
      await model.client.unlinkValue(pid, slot.id);
      Notification.info(trans('"%1" is unlinked; the secret itself stays.', slot.name), {
        autoClose: 4000
      });
    } catch (error) {
      Notification.error(trans('Cannot unlink: %1', messageOf(error)), { autoClose: 8000 });
    }
  };

  return (
    <li
      className={`jp-secrets-Slot jp-mod-${slot.state}`}
      data-testid="secrets-slot"
      data-slot-name={slot.name}
      data-state={slot.state}
    >
      <div className="jp-secrets-SlotHead">
        <span className="jp-secrets-SlotName">{slot.name}</span>
        <span
          className={`jp-secrets-Badge ${badge.className}`}
          title={badge.title}
          data-testid="secrets-slot-state"
        >
          {badge.label}
        </span>
      </div>
      {slot.description && <div className="jp-secrets-SlotDescription">{slot.description}</div>}
      <dl className="jp-secrets-SlotMeta">
        <dt>{trans('file')}</dt>
        <dd>
          <code>{slot.filename}</code>
        </dd>
        {slot.env && (
          <>
            <dt>{trans('env')}</dt>
            <dd>
              <code>{slot.env}</code>
            </dd>
          </>
        )}
        {slot.secret && (
          <>
            <dt>{trans('secret')}</dt>
            <dd data-testid="secrets-slot-secret">{slot.secret.name}</dd>
          </>
        )}
      </dl>
      {mode === 'edit' && (
        <SlotForm
          slot={slot}
          trans={trans}
          onCancel={() => setMode('view')}
          onSubmit={async body => {
            await model.client.updateSlot(pid, slot.id, body);
            setMode('view');
          }}
        />
      )}
      {mode === 'provide' && (
        <ProvideForm
          slot={slot}
          project={project}
          model={model}
          trans={trans}
          onDone={() => setMode('view')}
        />
      )}
      {mode === 'view' && (
        <div className="jp-secrets-SlotActions">
          <Button
            kind={slot.state === 'provided' ? 'plain' : 'accept'}
            testId="secrets-slot-provide"
            onClick={() => setMode('provide')}
          >
            {slot.secret ? trans('Change value') : trans('Provide value')}
          </Button>
          {slot.secret && (
            <Button testId="secrets-slot-unlink" onClick={() => void unlink()}>
              {trans('Unlink')}
            </Button>
          )}
          <Button testId="secrets-slot-edit" onClick={() => setMode('edit')}>
            {trans('Edit')}
          </Button>
          <Button kind="warn" testId="secrets-slot-remove" onClick={() => void remove()}>
            {trans('Remove')}
          </Button>
        </div>
      )}
    </li>
  );
}

function ProvideForm(props: {
  slot: ISlot;
  project: IProject;
  model: ProjectModel;
  trans: Translate;
  onDone: () => void;
}): JSX.Element {
  const { slot, project, model, trans } = props;
  const [choice, setChoice] = React.useState<IValueChoice>(EMPTY_CHOICE);
  const [error, setError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);

  React.useEffect(() => {
    model.loadSecrets().catch(e => setError(messageOf(e)));
  }, []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const { body, error: incomplete } = provideBody(choice, trans);
    if (!body) {
      setError(incomplete);
      return;
    }
    setBusy(true);
    try {
      const reply = await model.client.provideValue(project.id!, slot.id, body);
      setChoice(EMPTY_CHOICE); // the value leaves the page's state at once
      if (reply.created && reply.message) {
        Notification.info(reply.message, { autoClose: 6000 });
      }
      props.onDone();
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-secrets-Form jp-secrets-ProvideForm"
      data-testid="value-form"
      onSubmit={submit}
      aria-label={trans('Value of %1', slot.name)}
    >
      <ValueChooser
        choice={choice}
        onChange={c => {
          setChoice(c);
          setError(undefined);
        }}
        secrets={model.secrets}
        trans={trans}
        slotName={slot.name}
        error={error}
        autoFocus
        testPrefix="value"
      />
      <div className="jp-secrets-FormButtons">
        <Button kind="reject" onClick={props.onDone} testId="value-cancel">
          {trans('Cancel')}
        </Button>
        <Button kind="accept" type="submit" disabled={busy} testId="value-submit">
          {trans('Save')}
        </Button>
      </div>
    </form>
  );
}
