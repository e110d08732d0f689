/**
 * @jest-environment jsdom
 *
 * The mark of a reference secret in User secrets: nothing for a stored value; the kind and
 * where it is fetched from; the reason when the last fetch failed.
 */
import { render, screen } from '@testing-library/react';
import * as React from 'react';

import { ReferenceMark } from '../references/referenceMark';
import { identityTrans as trans } from '../format';

describe('ReferenceMark', () => {
  it('shows nothing for a stored value', () => {
    const { container } = render(<ReferenceMark secret={{ reference: null }} trans={trans} />);
    expect(container.innerHTML).toBe('');
  });

  it('shows the kind, where it is fetched from and how often', () => {
    render(
      <ReferenceMark
        secret={{
          reference: {
            type: 'vault',
            description: 'secret/team/db#password at $VAULT_ADDR',
            ttl_seconds: 300,
            timeout_seconds: 30,
            argv: null,
            fetch_error: null
          }
        }}
        trans={trans}
      />
    );
    const badge = screen.getByText('reference: vault');
    expect(badge.getAttribute('title')).toBe(
      'The value stays in the vault: fetched from secret/team/db#password at $VAULT_ADDR when kernels need it, again every 300 s.'
    );
    expect(screen.queryByTestId('reference-fetch-error')).toBeNull();
  });

  it('says why the last fetch failed', () => {
    render(
      <ReferenceMark
        secret={{
          reference: {
            type: 'command',
            description: 'op read op://team/db/password',
            ttl_seconds: 60,
            timeout_seconds: 30,
            argv: ['op', 'read', 'op://team/db/password'],
            fetch_error: "'op' exited with status 1: [ERROR] not signed in"
          }
        }}
        trans={trans}
      />
    );
    expect(screen.getByText('reference: command')).toBeTruthy();
    expect(screen.getByTestId('reference-fetch-error').textContent).toBe(
      "fetch failed: 'op' exited with status 1: [ERROR] not signed in"
    );
  });
});
