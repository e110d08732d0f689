/**
 * The jupyter-secrets JupyterLab extension: the Secrets sidebar panel, the launch dialog,
 * the User secrets view and their commands, for the server's owner only (a guest of a
 * shared server gets a one-line notice instead, see `access.ts`). Works in JupyterLab 4 and
 * Notebook 7 (the file browser, the palette, the settings and the layout restorer are all
 * optional). One plugin per job: see `plugins/`.
 */
import { plugins } from './plugins';

export { ISecretsModel } from './tokens';
export type * from './apiTypes';

export default plugins;
