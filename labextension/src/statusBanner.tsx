/**
 * The server's status notices at the top of the Secrets panel: one compact line each, with
 * the server's details under it. Errors are alerts; warnings and information are polite
 * status messages; information can be dismissed for this page.
 */
import { closeIcon, errorIcon, infoIcon, LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Translate } from './model';
import { IStatusNotice, NoticeLevel, statusNotices } from './statusNotices';
import { IStatus } from './tokens';

const ICONS: Record<NoticeLevel, LabIcon> = {
  error: errorIcon,
  warning: errorIcon,
  info: infoIcon
};

export function StatusBanner(props: {
  status: IStatus | null;
  trans: Translate;
}): JSX.Element | null {
  const { status, trans } = props;
  const [dismissed, setDismissed] = React.useState<string[]>([]);
  const notices = statusNotices(status, trans).filter(n => !dismissed.includes(n.key));
  if (!notices.length) {
    return null;
  }
  return (
    <div className="jp-secrets-Notices" data-testid="secrets-notices">
      {notices.map(notice => (
        <Notice
          key={notice.key}
          notice={notice}
          trans={trans}
          onDismiss={
            notice.level === 'info'
              ? () => setDismissed([...dismissed, notice.key])
              : undefined
          }
        />
      ))}
    </div>
  );
}

function Notice(props: {
  notice: IStatusNotice;
  trans: Translate;
  onDismiss?: () => void;
}): JSX.Element {
  const { notice, trans, onDismiss } = props;
  const Icon = ICONS[notice.level];
  return (
    <div
      className={`jp-secrets-Notice jp-mod-${notice.level}`}
      role={notice.level === 'error' ? 'alert' : 'status'}
      data-testid={`secrets-notice-${notice.key}`}
    >
      <Icon.react tag="span" className="jp-secrets-NoticeIcon" aria-hidden="true" />
      <div className="jp-secrets-NoticeBody">
        <div className="jp-secrets-NoticeText">{notice.text}</div>
        {notice.details.map((line, i) => (
          <div key={i} className="jp-secrets-NoticeDetail">
            {line}
          </div>
        ))}
      </div>
      {onDismiss && (
        <button
          type="button"
          className="jp-secrets-IconButton jp-secrets-NoticeDismiss"
          title={trans('Dismiss')}
          aria-label={trans('Dismiss')}
          data-testid={`secrets-notice-${notice.key}-dismiss`}
          onClick={onDismiss}
        >
          <closeIcon.react tag="span" className="jp-secrets-Icon" />
        </button>
      )}
    </div>
  );
}
