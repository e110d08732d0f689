/**
 * Fixtures of the component tests: API objects, and a real `SecretsModel` over a fake
 * server that answers by route (`'METHOD endPoint'`) and records every request.
 */
import type { IProject, ISlot, IUserSecret } from '../apiTypes';
import { RequestFunction, SecretsClient } from '../client';
import { identityTrans } from '../format';
import { SecretsModel } from '../model';

export const trans = identityTrans;

export function slot(id: string, extra: Partial<ISlot> = {}): ISlot {
  return {
    id,
    name: id,
    description: '',
    filename: id,
    env: null,
    state: 'missing',
    secret: null,
    expires_soon: false,
    ...extra
  };
}

export function project(
  path: string,
  slots: ISlot[] = [],
  extra: Partial<IProject> = {}
): IProject {
  return { id: `id-${path}`, name: path, path, exists: true, error: null, slots, ...extra };
}

export function secret(
  name: string,
  usage: Array<[string, string]> = [],
  extra: Partial<IUserSecret> = {}
): IUserSecret {
  return {
    id: `sec-${name}`,
    name,
    created: '2026-01-01T00:00:00Z',
    modified: '2026-01-02T00:00:00Z',
    expires: null,
    expired: false,
    expires_soon: false,
    binary: false,
    usage: usage.map(([pid, sid]) => ({
      project_id: pid,
      project_name: 'Demo',
      project_path: 'demo',
      slot_id: sid,
      slot_name: sid
    })),
    ...extra
  };
}

export type Route = (body: any, query: any) => unknown;

export interface IFakeServer {
  model: SecretsModel;
  /** `METHOD endPoint` of every request, in order. */
  calls: string[];
  /** The parsed JSON body of the last request to `METHOD endPoint`. */
  bodyOf(key: string): any;
}

export function fakeServer(routes: Record<string, Route>): IFakeServer {
  const calls: string[] = [];
  const bodies: Record<string, unknown> = {};
  const request = (async (endPoint: string, init?: RequestInit, query?: unknown) => {
    const key = `${init?.method ?? 'GET'} ${endPoint}`;
    calls.push(key);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    bodies[key] = body;
    const route = routes[key] ?? (key === 'GET status' ? () => ({ locked: false }) : undefined);
    if (!route) {
      throw Object.assign(new Error(`no route ${key}`), { status: 404, field: null });
    }
    return route(body, query);
  }) as RequestFunction;
  const model = new SecretsModel({ client: new SecretsClient(request) });
  return { model, calls, bodyOf: key => bodies[key] };
}

/** A rejection shaped as the server's errors (`SecretsApiError`). */
export function apiError(status: number, message: string, field: string | null = null): Error {
  return Object.assign(new Error(message), { status, field });
}
