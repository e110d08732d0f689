/**
 * Making a folder a project: when the followed folder is in no project, and when it is inside
 * another project (a project inside a project: the server root of the demo is one) and the
 * user wants it to have its own slots.
 */
import * as React from 'react';

import { ActionButton, describedBy, ErrorMessage, Field } from '../components/common';
import { useSignalValue } from '../components/hooks';
import { errorsFor, FieldErrors, folderName, ITrans } from '../format';
import { checkName } from '../ruleChecks';
import { ISecretsModel } from '../tokens';

/** Ids of the projects made from this page: their header says to commit the slot file. */
export const CREATED_HERE = new Set<string>();

/** The slot file of a project at an API path, as the user commits it. */
export function slotFilePath(path: string): string {
  return path ? `${path}/.jupyter/secret-slots.json` : '.jupyter/secret-slots.json';
}

export function NoProject(props: { model: ISecretsModel; trans: ITrans }): JSX.Element {
  const { model, trans } = props;
  const path = useSignalValue(model.projectChanged, () => model.path);
  return (
    <div className="jp-secrets-NoProject" data-testid="secrets-no-project">
      <p>{trans.__('This folder (/%1) is not in a project with secret slots.', path)}</p>
      <MakeProject model={model} trans={trans} label={trans.__('Make this folder a project')} />
    </div>
  );
}

/** A button that opens the "Project name" form and makes the followed folder a project. */
export function MakeProject(props: {
  model: ISecretsModel;
  trans: ITrans;
  label: string;
}): JSX.Element {
  const { model, trans } = props;
  const path = useSignalValue(model.projectChanged, () => model.path);
  const inputId = React.useId();
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState('');
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const problem = checkName(name);
    if (problem) {
      setErrors({ name: problem });
      return;
    }
    setBusy(true);
    try {
      const project = await model.createProject(path, name.trim()); // told by notify.ts
      if (project.id) {
        CREATED_HERE.add(project.id);
      }
      setOpen(false);
    } catch (error) {
      setErrors(errorsFor(error, ['name', 'path']));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <ActionButton
        kind="accept"
        testId="secrets-make-project"
        ariaLabel={trans.__('Make the folder /%1 a project', path)}
        onClick={() => {
          setName(folderName(path, trans.__('Project')));
          setErrors({});
          setOpen(true);
        }}
      >
        {props.label}
      </ActionButton>
    );
  }
  const error = errors.name ?? errors.path;
  return (
    <form
      className="jp-secrets-Form"
      onSubmit={submit}
      data-testid="secrets-project-form"
      aria-label={trans.__('Make the folder /%1 a project', path)}
    >
      <Field
        id={inputId}
        label={trans.__('Project name')}
        error={error}
        hint={trans.__(
          'Creates %1: commit it with the folder, so that everyone gets the same slots.',
          slotFilePath(path)
        )}
        testId="secrets-project-name"
      >
        <input
          id={inputId}
          className="jp-mod-styled jp-secrets-Input"
          value={name}
          required
          autoFocus
          data-testid="secrets-project-name"
          onChange={e => {
            setName(e.target.value);
            const problem = checkName(e.target.value);
            setErrors(problem ? { name: problem } : {});
          }}
          {...describedBy(inputId, error, 'hint')}
        />
      </Field>
      <ErrorMessage errors={errors} />
      <div className="jp-secrets-FormButtons">
        <ActionButton kind="reject" onClick={() => setOpen(false)}>
          {trans.__('Cancel')}
        </ActionButton>
        <ActionButton kind="accept" type="submit" disabled={busy} testId="secrets-project-create">
          {trans.__('Create project')}
        </ActionButton>
      </div>
    </form>
  );
}
