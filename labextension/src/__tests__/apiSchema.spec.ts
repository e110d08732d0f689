/**
 * The API types cannot drift from the server's contract: `src/apiSchema.ts` must be what
 * openapi-typescript generates from the server's `openapi.yaml` today (`jlpm api-types`
 * rewrites it). `apiTypes.ts` names its schemas; the checks below pin the fields the
 * frontend relies on, so that a change of the contract shows up here by name too.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

import type { IErrorReply, IStatus, IUsage } from '../apiTypes';

describe('API types', () => {
  it('are generated from the current openapi.yaml (run `jlpm api-types` if not)', () => {
    // In its own node process: openapi-typescript's dependencies are ES modules.
    const script = path.resolve(__dirname, '..', '..', 'scripts', 'api-types.js');
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 30000);

  it('carry the status and error fields the frontend reads', () => {
    // Compile-time checks: each line fails `jlpm typecheck` if the field goes or changes type.
    const status: Required<IStatus> = {
      locked: false,
      lock_reason: null,
      files_error: null,
      version: '0',
      on_save: 'redact',
      secrets_dir: '/x',
      secrets_dir_memory_backed: null,
      secrets_dir_warnings: [],
      store_created: null,
      store_created_now: false
    };
    const error: Required<IErrorReply> = {
      message: 'm',
      field: 'f',
      reason: 'not-owner',
      owner: 'alice'
    };
    const usage: IUsage = {
      project_id: 'p',
      project_name: null,
      project_path: null,
      slot_id: 's',
      slot_name: null
    };
    expect(Object.keys(status)).toHaveLength(10);
    expect(Object.keys(error)).toHaveLength(4);
    expect(usage.slot_name).toBeNull();
  });
});
