/**
 * The panel's state: follows a folder, merges overlapping reloads, refreshes after writes.
 */
jest.mock('@jupyterlab/services', () => ({ ServerConnection: {} }));

import { RequestFunction, SecretsClient } from '../api';
import { ProjectModel } from '../projectModel';
import { IProject } from '../tokens';

function project(path: string): IProject {
  return { id: `id-${path}`, name: path, path, exists: true, error: null, slots: [] };
}

function server() {
  const asked: string[] = [];
  let fail = false;
  const request = (async (endPoint: string, init?: RequestInit, query?: any) => {
    if (fail) {
      throw Object.assign(new Error('store locked'), { status: 503, field: null });
    }
    if (endPoint === 'projects' && (!init || init.method === 'GET')) {
      asked.push(query.path);
      await new Promise(resolve => setTimeout(resolve, 5));
      return project(query.path);
    }
    return {};
  }) as RequestFunction;
  return { asked, request, setFail: (value: boolean) => (fail = value) };
}

describe('ProjectModel', () => {
  it('loads the project of the folder it follows', async () => {
    const { asked, request } = server();
    const model = new ProjectModel(new SecretsClient(request));
    const loaded: string[] = [];
    model.projectLoaded.connect((_, p) => loaded.push(p.path));
    await model.setPath('a/b');
    expect(model.project?.path).toBe('a/b');
    expect(asked).toEqual(['a/b']);
    expect(loaded).toEqual(['a/b']);
    // Same folder again: nothing to do.
    await model.setPath('a/b');
    expect(asked).toEqual(['a/b']);
  });

  it('merges reloads asked while one runs, and ends on the last folder', async () => {
    const { asked, request } = server();
    const model = new ProjectModel(new SecretsClient(request));
    void model.setPath('one');
    void model.setPath('two');
    void model.refresh();
    await model.setPath('three');
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(asked[0]).toBe('one');
    expect(asked.length).toBeLessThanOrEqual(2);
    expect(model.project?.path).toBe('three');
  });

  it('keeps the last project and shows the error when a reload fails', async () => {
    const { request, setFail } = server();
    const model = new ProjectModel(new SecretsClient(request));
    await model.setPath('x');
    setFail(true);
    await model.refresh();
    expect(model.error).toBe('store locked');
    expect(model.project?.path).toBe('x');
    setFail(false);
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('reloads after a write of this page', async () => {
    const { asked, request } = server();
    const client = new SecretsClient(request);
    const model = new ProjectModel(client);
    await model.setPath('p');
    await client.unlinkValue('id-p', 's');
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(asked).toEqual(['p', 'p']);
  });

  it('reloads the status with the project (files_error can appear after a write)', async () => {
    let statuses = 0;
    const request = (async (endPoint: string, _init?: RequestInit, query?: any) => {
      if (endPoint === 'status') {
        statuses += 1;
        return { locked: false, lock_reason: null, files_error: statuses > 1 ? 'full' : null };
      }
      return project(query?.path ?? '');
    }) as RequestFunction;
    const model = new ProjectModel(new SecretsClient(request));
    model.setStatus({ locked: false } as any);
    expect(statuses).toBe(0); // the status read at activation is used as is
    await model.setPath('a');
    expect(model.status?.files_error).toBeNull();
    await model.refresh();
    expect(statuses).toBe(2);
    expect(model.status?.files_error).toBe('full');
  });
});
