/**
 * Expiry that warns before it bites: the words and the badge of a value that stops being
 * written for kernels soon. The server decides what "soon" is (`expires_soon`, computed by
 * `core/states.py` from `c.SecretsExtension.expiry_warning_days`, default 7); this module
 * only says it, in the panel's slot card, the User secrets row and the launch dialog's
 * choice of a saved secret.
 */
import * as React from 'react';

import { identityTrans, ITrans } from './format';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `now` to `expires` (rounded; 0 within half a day), or null without a date. */
export function daysLeft(
  expires: string | null | undefined,
  now: number = Date.now()
): number | null {
  if (!expires) {
    return null;
  }
  const when = Date.parse(expires);
  if (Number.isNaN(when)) {
    return null;
  }
  return Math.max(0, Math.round((when - now) / DAY_MS));
}

/** "expires today", "expires tomorrow", "expires in 3 days" (or "expires soon" without a date). */
export function expiryText(
  expires: string | null | undefined,
  trans: ITrans = identityTrans,
  now: number = Date.now()
): string {
  const days = daysLeft(expires, now);
  if (days === null) {
    return trans.__('expires soon');
  }
  if (days === 0) {
    return trans.__('expires today');
  }
  return trans._n('expires tomorrow', 'expires in %1 days', days);
}

/** The tooltip: when the value stops being written, and what to do. */
export function expiryTitle(
  expires: string | null | undefined,
  trans: ITrans = identityTrans
): string {
  const when = expires ? new Date(expires).toLocaleString() : trans.__('soon');
  return trans.__(
    'The value stops being written for kernels on %1: replace it before then (User secrets → Replace value, or a new expiry).',
    when
  );
}

/** A saved secret's label where one is chosen: "name (expires in 3 days)" when it does. */
export function expiringLabel(
  secret: { name: string; expires?: string | null; expires_soon?: boolean },
  trans: ITrans = identityTrans
): string {
  return secret.expires_soon
    ? trans.__('%1 (%2)', secret.name, expiryText(secret.expires, trans))
    : secret.name;
}

/** The badge "expires in 3 days", shown only when the server says the value expires soon. */
export function ExpiryBadge(props: {
  expiresSoon: boolean | undefined;
  expires: string | null | undefined;
  trans?: ITrans;
}): JSX.Element | null {
  const trans = props.trans ?? identityTrans;
  if (!props.expiresSoon) {
    return null;
  }
  return React.createElement(
    'span',
    {
      className: 'jp-secrets-Badge jp-secrets-Badge-expiring',
      title: expiryTitle(props.expires, trans),
      role: 'status',
      'data-testid': 'secrets-expiry-warning'
    },
    expiryText(props.expires, trans)
  );
}
