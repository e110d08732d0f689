/**
 * The server's status notices at the top of the Secrets panel: one compact line each, with
 * the server's details under it. Errors are alerts; warnings are polite status messages.
 */
import { errorIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IStatus } from '../apiTypes';
import { ITrans } from '../format';
import { IStatusNotice, statusNotices } from '../statusNotices';

export function StatusBanner(props: { status: IStatus | null; trans: ITrans }): JSX.Element | null {
  const notices = statusNotices(props.status, props.trans);
  if (!notices.length) {
    return null;
  }
  return (
    <div className="jp-secrets-Notices" data-testid="secrets-notices">
      {notices.map(notice => (
        <Notice key={notice.key} notice={notice} />
      ))}
    </div>
  );
}

function Notice(props: { notice: IStatusNotice }): JSX.Element {
  const { notice } = props;
  return (
    <div
      className={`jp-secrets-Notice jp-mod-${notice.level}`}
      role={notice.level === 'error' ? 'alert' : 'status'}
      data-testid={`secrets-notice-${notice.key}`}
    >
      <errorIcon.react tag="span" className="jp-secrets-NoticeIcon" aria-hidden="true" />
      <div className="jp-secrets-NoticeBody">
        <div className="jp-secrets-NoticeText">{notice.text}</div>
        {notice.details.map((line, i) => (
          <div key={i} className="jp-secrets-NoticeDetail">
            {line}
          </div>
        ))}
      </div>
    </div>
  );
}
