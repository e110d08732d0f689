/**
 * @jest-environment jsdom
 *
 * The expiry warning: its words, the badge (only when the server says `expires_soon`), and
 * its uses in the User secrets row and the choice of a saved secret (panel and launch dialog).
 */
import { act, render, screen } from '@testing-library/react';
import * as React from 'react';

import { secretOptionLabel } from '../components/valueChooser';
import { daysLeft, ExpiryBadge, expiringLabel, expiryText } from '../expiry';
import { SecretsTable } from '../userSecrets/userSecretsView';
import { fakeServer, secret, trans } from './helpers';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(NOW + days * DAY).toISOString();

describe('expiry words', () => {
  it('counts whole days, rounded, never below 0', () => {
    expect(daysLeft(inDays(3), NOW)).toBe(3);
    expect(daysLeft(inDays(2.6), NOW)).toBe(3);
    expect(daysLeft(inDays(0.2), NOW)).toBe(0);
    expect(daysLeft(inDays(-1), NOW)).toBe(0);
    expect(daysLeft(null, NOW)).toBeNull();
    expect(daysLeft('not a date', NOW)).toBeNull();
  });

  it('says today, tomorrow, in N days', () => {
    expect(expiryText(inDays(0.1), trans, NOW)).toBe('expires today');
    expect(expiryText(inDays(1), trans, NOW)).toBe('expires tomorrow');
    expect(expiryText(inDays(5), trans, NOW)).toBe('expires in 5 days');
    expect(expiryText(null, trans, NOW)).toBe('expires soon');
  });

  it('labels a saved secret that expires soon, and only then', () => {
    const soon = secret('db', [], { expires: inDays(2), expires_soon: true } as any);
    expect(expiringLabel(soon, trans)).toMatch(/^db \(expires (in \d days|tomorrow)\)$/);
    expect(secretOptionLabel(soon, trans)).toBe(expiringLabel(soon, trans));
    const later = secret('db', [], { expires: inDays(30), expires_soon: false } as any);
    expect(secretOptionLabel(later, trans)).toBe('db');
    const expired = secret('db', [], { expired: true, expires_soon: false } as any);
    expect(secretOptionLabel(expired, trans)).toBe('db (expired)');
  });
});

describe('ExpiryBadge', () => {
  it('shows only when the server says expires_soon', () => {
    const { rerender } = render(
      <ExpiryBadge expiresSoon={false} expires={inDays(2)} trans={trans} />
    );
    expect(screen.queryByTestId('secrets-expiry-warning')).toBeNull();
    rerender(<ExpiryBadge expiresSoon={true} expires={inDays(2)} trans={trans} />);
    const badge = screen.getByTestId('secrets-expiry-warning');
    expect(badge.textContent).toMatch(/^expires (in \d days|tomorrow)$/);
    expect(badge.className).toContain('jp-secrets-Badge-expiring');
    expect(badge.getAttribute('title')).toContain('stops being written');
  });

  it('marks the row of a secret that expires soon in User secrets', async () => {
    const server = fakeServer({
      'GET user-secrets': () => ({
        secrets: [
          secret('soon', [], { expires: inDays(3), expires_soon: true } as any),
          secret('later', [], { expires: inDays(90), expires_soon: false } as any)
        ]
      })
    });
    render(<SecretsTable model={server.model} trans={trans} refresh={() => undefined} />);
    await act(() => server.model.loadSecrets());
    const rows = screen.getAllByTestId('user-secret-row');
    const warned = rows.filter(row => row.querySelector('[data-testid="secrets-expiry-warning"]'));
    expect(warned.map(row => row.getAttribute('data-secret-name'))).toEqual(['soon']);
  });
});
