/**
 * The named types of the REST API, taken from `apiSchema.ts` (generated from the server's
 * `openapi.yaml`, in the server package), so that they cannot drift from its contract.
 * Types only: importing this module costs nothing at run time.
 */
import type { components, paths } from './apiSchema';

type Schemas = components['schemas'];

/** The JSON body a route takes. */
type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The JSON reply of a route for one status code. */
type JsonReply<
  P extends keyof paths,
  M extends keyof paths[P],
  S extends number
> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer R } } };
}
  ? R
  : never;

/** An error reply: `{message, field?, reason?, owner?}`. */
export type IErrorReply = Schemas['Error'];

/** `GET /api/secrets/status` (the owner's view; a guest gets 403 `not-owner`). */
export type IStatus = Schemas['Status'];

/** This user's state of one slot. */
export type SlotState = Schemas['Slot']['state'];

/** One slot of a project, with this user's state. */
export type ISlot = Schemas['Slot'];

/** The user secret a slot is linked to (no value, ever). */
export type ISecretRef = NonNullable<ISlot['secret']>;

/** A project: the nearest directory holding `.jupyter/secret-slots.json`. */
export type IProject = Schemas['Project'];

/** One place a user secret is used. */
export type IUsage = Schemas['Usage'];

/** One saved secret of this user (metadata only: values go in, never out). */
export type IUserSecret = Schemas['UserSecret'];

/** Body of `POST .../slots`. */
export type ISlotInput = Schemas['SlotInput'];

/** Body of `PATCH .../slots/{sid}`. */
export type ISlotPatch = Schemas['SlotPatch'];

/** Body of `POST /api/secrets/projects`. */
export type INewProject = JsonBody<'/api/secrets/projects', 'post'>;

/** Body of `PUT .../slots/{sid}/value`: a new value or an existing secret. */
export type ProvideValueBody = JsonBody<
  '/api/secrets/projects/{project_id}/slots/{slot_id}/value',
  'put'
>;

/** Reply of `PUT .../slots/{sid}/value`. */
export type IProvideValueReply = JsonReply<
  '/api/secrets/projects/{project_id}/slots/{slot_id}/value',
  'put',
  200
>;

/** Reply of `GET /api/secrets/user-secrets`. */
export type IUserSecretList = JsonReply<'/api/secrets/user-secrets', 'get', 200>;

/** Body of `POST /api/secrets/user-secrets`. */
export type INewUserSecret = JsonBody<'/api/secrets/user-secrets', 'post'>;

/** Body of `PATCH /api/secrets/user-secrets/{id}`. */
export type IUserSecretChanges = JsonBody<'/api/secrets/user-secrets/{secret_id}', 'patch'>;

/** The `reason` of the 403 a guest (not the server's owner) gets from every route. */
export const NOT_OWNER: NonNullable<IErrorReply['reason']> = 'not-owner';
