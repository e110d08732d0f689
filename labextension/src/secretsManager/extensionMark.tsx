/**
 * The mark of a secret an extension keeps through jupyter-secrets-manager, beside its name in
 * User secrets: which extension (its plugin id), and what that means.
 */
import * as React from 'react';

import type { IUserSecret } from '../apiTypes';
import type { ITrans } from '../format';

export function ExtensionMark(props: {
  secret: Pick<IUserSecret, 'namespace'>;
  trans: ITrans;
}): JSX.Element | null {
  const { secret, trans } = props;
  if (!secret.namespace) {
    return null;
  }
  return (
    <span
      className="jp-secrets-Badge jp-secrets-Badge-extension"
      data-testid="extension-mark"
      data-namespace={secret.namespace}
      title={trans.__(
        "Kept by the JupyterLab extension %1 through the secrets manager: only that extension reads it, and kernels get it only if you link it to a slot. Its name is the extension's key and cannot be changed.",
        secret.namespace
      )}
    >
      {trans.__('extension: %1', secret.namespace)}
    </span>
  );
}
