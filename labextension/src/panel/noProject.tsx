/**
 * The panel when the followed folder is in no project: say so, and offer to make it one.
 */
import * as React from 'react';

import { ActionButton, ErrorMessage, Field } from '../components/common';
import { useSignalValue } from '../components/hooks';
import { errorsFor, FieldErrors, folderName, ITrans } from '../format';
import { ISecretsModel } from '../tokens';

export function NoProject(props: { model: ISecretsModel; trans: ITrans }): JSX.Element {
  const { model, trans } = props;
  const path = useSignalValue(model.projectChanged, () => model.path);
  const inputId = React.useId();
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState('');
  const [errors, setErrors] = React.useState<FieldErrors>({});
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await model.createProject(path, name.trim());
      setOpen(false);
    } catch (error) {
      setErrors(errorsFor(error, ['name', 'path']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="jp-secrets-NoProject" data-testid="secrets-no-project">
      <p>{trans.__('This folder (/%1) is not in a project with secret slots.', path)}</p>
      {open ? (
        <form className="jp-secrets-Form" onSubmit={submit} data-testid="secrets-project-form">
          <Field
            id={inputId}
            label={trans.__('Project name')}
            error={errors.name ?? errors.path}
            testId="secrets-project-name"
          >
            <input
              id={inputId}
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
            <ActionButton kind="reject" onClick={() => setOpen(false)}>
              {trans.__('Cancel')}
            </ActionButton>
            <ActionButton
              kind="accept"
              type="submit"
              disabled={busy}
              testId="secrets-project-create"
            >
              {trans.__('Create project')}
            </ActionButton>
          </div>
        </form>
      ) : (
        <ActionButton
          kind="accept"
          testId="secrets-make-project"
          onClick={() => {
            setName(folderName(path, trans.__('Project')));
            setOpen(true);
          }}
        >
          {trans.__('Make this folder a project')}
        </ActionButton>
      )}
    </div>
  );
}
