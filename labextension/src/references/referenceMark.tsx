/**
 * The mark of a reference secret beside its name in User secrets: its value stays in a vault
 * (a command, or a Vault/OpenBao field) and is fetched when kernels need it. Shows where it is
 * fetched from (to its owner, the only one who sees this view) and, when the last fetch
 * failed, why. Creating a reference is done with `jupyter secrets set NAME --command ...` or
 * `--vault ...`, or the API (README, "Values that stay in a vault").
 */
import * as React from 'react';

import type { IUserSecret } from '../apiTypes';
import type { ITrans } from '../format';

export function ReferenceMark(props: {
  secret: Pick<IUserSecret, 'reference'>;
  trans: ITrans;
}): JSX.Element | null {
  const { secret, trans } = props;
  const reference = secret.reference;
  if (!reference) {
    return null;
  }
  const kind = reference.type === 'vault' ? trans.__('vault') : trans.__('command');
  return (
    <span className="jp-secrets-ReferenceMark" data-testid="reference-mark">
      <span
        className="jp-secrets-Badge jp-secrets-Badge-extension"
        data-reference-type={reference.type}
        title={trans.__(
          'The value stays in the vault: fetched from %1 when kernels need it, again every %2 s.',
          reference.description,
          reference.ttl_seconds
        )}
      >
        {trans.__('reference: %1', kind)}
      </span>
      {reference.fetch_error && (
        <span
          className="jp-secrets-Badge jp-secrets-Badge-unreadable"
          data-testid="reference-fetch-error"
          role="status"
          title={reference.fetch_error}
        >
          {trans.__('fetch failed: %1', reference.fetch_error)}
        </span>
      )}
    </span>
  );
}
