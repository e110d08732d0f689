/**
 * Every plugin of the extension. The model plugin provides `ISecretsModel`; the others add
 * one piece of UI each, and add nothing for a guest of a shared server.
 */
import { followPlugin } from './followPlugin';
import { guestNoticePlugin } from './guestNoticePlugin';
import { launchDialogPlugin } from './launchDialogPlugin';
import { modelPlugin } from './modelPlugin';
import { notifyPlugin } from './notifyPlugin';
import { panelPlugin } from './panelPlugin';
import { saveGuardPlugin } from './saveGuardPlugin';
import { userSecretsPlugin } from './userSecretsPlugin';
import { secretsManagerPlugin } from '../secretsManager/plugin';

export {
  followPlugin,
  guestNoticePlugin,
  launchDialogPlugin,
  modelPlugin,
  notifyPlugin,
  panelPlugin,
  saveGuardPlugin,
  userSecretsPlugin
};

export const plugins = [
  modelPlugin,
  guestNoticePlugin,
  notifyPlugin,
  followPlugin,
  panelPlugin,
  launchDialogPlugin,
  userSecretsPlugin,
  saveGuardPlugin,
  secretsManagerPlugin
];
