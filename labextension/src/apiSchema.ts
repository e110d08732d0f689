/**
 * GENERATED from the server's openapi.yaml by scripts/api-types.js: do not edit.
 * Run `jlpm api-types` after changing the OpenAPI document; `jlpm test` fails until then.
 */
/* eslint-disable */
export interface paths {
    "/api/secrets/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** State of the extension and of the store */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Status */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Status"];
                    };
                };
                403: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project containing a path, with this user's state of each slot */
        get: {
            parameters: {
                query?: {
                    /** @description API path (relative to the server root); empty for the root. */
                    path?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The project (the default project, with exists=false, when none) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Project"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Make a directory a project (creates its slot file) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        path?: string;
                        name: string;
                    };
                };
            };
            responses: {
                /** @description The new project */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Project"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                409: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/projects/{project_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        /** One project by id */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project_id: components["parameters"]["ProjectId"];
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The project */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Project"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/projects/{project_id}/slots": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a slot */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project_id: components["parameters"]["ProjectId"];
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SlotInput"];
                };
            };
            responses: {
                /** @description The new slot */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Slot"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/projects/{project_id}/slots/{slot_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: components["parameters"]["ProjectId"];
                slot_id: components["parameters"]["SlotId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a slot (and this user's link to it) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project_id: components["parameters"]["ProjectId"];
                    slot_id: components["parameters"]["SlotId"];
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Removed */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        /** Edit a slot */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project_id: components["parameters"]["ProjectId"];
                    slot_id: components["parameters"]["SlotId"];
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SlotPatch"];
                };
            };
            responses: {
                /** @description The slot */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Slot"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/api/secrets/projects/{project_id}/slots/{slot_id}/value": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: components["parameters"]["ProjectId"];
                slot_id: components["parameters"]["SlotId"];
            };
            cookie?: never;
        };
        get?: never;
        /** Fill a slot with a new value, or with an existing secret */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project_id: components["parameters"]["ProjectId"];
                    slot_id: components["parameters"]["SlotId"];
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A new text value, any UTF-8, newlines kept exactly (never returned). */
                        value?: string;
                        /**
                         * Format: byte
                         * @description A new binary value, base64-encoded (standard or URL-safe alphabet; whitespace and missing padding tolerated); never with `value`. At most `max_value_bytes` once decoded (never returned).
                         */
                        value_base64?: string;
                        reference?: components["schemas"]["ReferenceInput"];
                        /** @description An existing secret of this user. */
                        secret_id?: string;
                        /** @description Name of the new secret (with value). */
                        name?: string;
                        /**
                         * Format: date-time
                         * @description Must be in the future (a time in the past is a 400).
                         */
                        expires?: string | null;
                    };
                };
            };
            responses: {
                /** @description What was done */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            slot: components["schemas"]["Slot"];
                            secret: components["schemas"]["UserSecret"];
                            created: boolean;
                            message: string;
                        };
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                422: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        post?: never;
        /** Unlink the slot's value (the secret itself stays) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project_id: components["parameters"]["ProjectId"];
                    slot_id: components["parameters"]["SlotId"];
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Unlinked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                422: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/user-secrets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every secret of this user, with where it is used */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The secrets */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            secrets: components["schemas"]["UserSecret"][];
                        };
                    };
                };
                403: components["responses"]["Error"];
            };
        };
        put?: never;
        /** Save a new secret */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description Text, any UTF-8, newlines kept exactly. */
                        value?: string;
                        /**
                         * Format: byte
                         * @description Bytes, base64-encoded; never with `value`.
                         */
                        value_base64?: string;
                        reference?: components["schemas"]["ReferenceInput"];
                        /**
                         * Format: date-time
                         * @description Must be in the future (a time in the past is a 400).
                         */
                        expires?: string | null;
                    };
                };
            };
            responses: {
                /** @description The new secret (without its value) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserSecret"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                409: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/user-secrets/{secret_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                secret_id: string;
            };
            cookie?: never;
        };
        /** One secret (without its value) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    secret_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserSecret"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        /** Delete the secret (unlinked from every slot) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    secret_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        /** Rename, replace the value (every connected slot follows), or change the expiry */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    secret_id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        /** @description New text value, newlines kept exactly. */
                        value?: string;
                        /**
                         * Format: byte
                         * @description New binary value, base64-encoded; never with `value`.
                         */
                        value_base64?: string;
                        reference?: components["schemas"]["ReferenceInput"];
                        /**
                         * Format: date-time
                         * @description Must be in the future (a time in the past is a 400).
                         */
                        expires?: string | null;
                    };
                };
            };
            responses: {
                /** @description The secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserSecret"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/api/secrets/extension-secrets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The secrets one extension keeps through jupyter-secrets-manager (ids, never values) */
        get: {
            parameters: {
                query: {
                    /** @description The extension's namespace (the id of the plugin the manager signed) */
                    namespace: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The extension's secrets */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            namespace: string;
                            secrets: components["schemas"]["ExtensionSecret"][];
                        };
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/extension-secrets/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The manager's key `<namespace>:<id>`, percent-encoded as one path segment (plugin ids hold `/` and `@`); at most 99 characters. */
                key: string;
            };
            cookie?: never;
        };
        /**
         * The value of one extension secret, for the connector of the extension that saved it
         * @description The only reply of the API that holds a value, and only for a secret an extension saved (a user's own secret is never readable here). Sent with `Cache-Control: no-store`. 404 also when the secret expired (the message says so: an expired value is never served). Each read emits the audit event `secret.read` (without the value).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The manager's key `<namespace>:<id>`, percent-encoded as one path segment (plugin ids hold `/` and `@`); at most 99 characters. */
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The secret with its value */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            namespace: string;
                            id: string;
                            value: string;
                        };
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                422: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        /** Save an extension secret (created, or its value replaced) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The manager's key `<namespace>:<id>`, percent-encoded as one path segment (plugin ids hold `/` and `@`); at most 99 characters. */
                    key: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        namespace: string;
                        id: string;
                        value: string;
                    };
                };
            };
            responses: {
                /** @description The value was replaced (the secret without its value) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExtensionSecret"];
                    };
                };
                /** @description A new extension secret (without its value) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExtensionSecret"];
                    };
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                409: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        post?: never;
        /** Delete an extension secret (unlinked from any slot the user bound it to) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The manager's key `<namespace>:<id>`, percent-encoded as one path segment (plugin ids hold `/` and `@`); at most 99 characters. */
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["Error"];
                403: components["responses"]["Error"];
                404: components["responses"]["Error"];
                503: components["responses"]["Error"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            message: string;
            field?: string;
            /**
             * @description With 403, "not-owner": the signed-in user is not the server's owner (a guest of a
             *     shared server); the frontend then shows a notice instead of the secrets UI.
             * @enum {string}
             */
            reason?: "not-owner";
            /** @description With reason "not-owner", whose secrets these are. */
            owner?: string;
        };
        Status: {
            locked: boolean;
            lock_reason?: string | null;
            /** @description Why some materialized files are out of date (e.g. a full secrets directory), or null. */
            files_error?: string | null;
            version: string;
            /** @enum {string} */
            on_save: "redact" | "refuse" | "off";
            secrets_dir: string;
            /** @description Whether the secret files are on a memory-backed file system (null when unknown). */
            secrets_dir_memory_backed?: boolean | null;
            /** @description A squatted location refused, or values going to disk; empty when all is well. */
            secrets_dir_warnings?: string[];
            /** @description When the store was created (ISO 8601 UTC), null when unknown. */
            store_created?: string | null;
            /** @description True when this server created a new, empty store at start. */
            store_created_now?: boolean;
        };
        Slot: {
            id: string;
            name: string;
            description: string;
            filename: string;
            env: string | null;
            /** @description Gets the path of the slot's file. */
            env_file?: string | null;
            /**
             * @description fetch-failed: the slot's secret is a reference whose last fetch failed (its file is not written; the secret's `reference.fetch_error` says why).
             * @enum {string}
             */
            state: "provided" | "missing" | "expired" | "unreadable" | "fetch-failed";
            /** @description The secret filling this slot, or null. */
            secret: {
                id: string;
                name: string;
                /**
                 * Format: date-time
                 * @description When the secret's value stops being written (null when it does not expire).
                 */
                expires?: string | null;
            } | null;
            /** @description The slot is provided, but its secret expires within `expiry_warning_days` (c.SecretsExtension.expiry_warning_days, default 7; 0 turns it off). */
            expires_soon: boolean;
        };
        SlotInput: {
            /** @description Stored in NFC; control, invisible, bidi, private-use and unassigned characters are refused (400); a name that looks the same as another slot's is a clash (409). */
            name: string;
            description?: string;
            filename: string;
            /** @description Also refused by family when the name would change how programs run (*PROXY*, *PATH*, *_OPTIONS, *FILE, LD_*, PYTHON*, ...): 400 naming the family. The rule is ENV_FAMILIES in jupyter_secrets/validation.py. */
            env?: string | null;
            /** @description A variable that gets the path of the slot's file (PGPASSFILE, KUBECONFIG, GOOGLE_APPLICATION_CREDENTIALS, DB_PASSWORD_FILE). The families of env apply, but names of a file to read are allowed; names of a directory or of a file programs write (*DIR, *HOME, *LOG, *CACHE, TMP, ...) are refused. Must differ from env. */
            env_file?: string | null;
        };
        SlotPatch: {
            /** @description Stored in NFC; control, invisible, bidi, private-use and unassigned characters are refused (400); a name that looks the same as another slot's is a clash (409). */
            name?: string;
            description?: string;
            filename?: string;
            /** @description Also refused by family when the name would change how programs run (*PROXY*, *PATH*, *_OPTIONS, *FILE, LD_*, PYTHON*, ...): 400 naming the family. The rule is ENV_FAMILIES in jupyter_secrets/validation.py. */
            env?: string | null;
            /** @description A variable that gets the path of the slot's file (PGPASSFILE, KUBECONFIG, GOOGLE_APPLICATION_CREDENTIALS, DB_PASSWORD_FILE). The families of env apply, but names of a file to read are allowed; names of a directory or of a file programs write (*DIR, *HOME, *LOG, *CACHE, TMP, ...) are refused. Must differ from env. */
            env_file?: string | null;
        };
        Project: {
            id: string | null;
            name: string | null;
            path: string;
            exists: boolean;
            error: string | null;
            slots: components["schemas"]["Slot"][];
        };
        Usage: {
            project_id: string;
            project_name: string | null;
            project_path: string | null;
            slot_id: string;
            slot_name: string | null;
        };
        /** @description An extension's secret without its value */
        ExtensionSecret: {
            namespace: string;
            id: string;
            /** @description The user secret holding it (in User secrets) */
            secret_id: string;
            /** @description `<namespace>:<id>`, its name in User secrets */
            name: string;
            /** Format: date-time */
            created: string;
            /** Format: date-time */
            modified: string;
            /** Format: date-time */
            expires: string | null;
            expired: boolean;
        };
        /** @description Instead of a value: where to fetch it when it is materialized (never with `value` or `value_base64`). Only the reference is stored, encrypted like a value. `command`: argv is run without a shell (write ["sh", "-c", "..."] for one), stdin closed, without the store key in its environment; its standard output less one trailing newline is the value. `vault`: a KV version 2 field of Vault or OpenBao, read with the server's VAULT_TOKEN or ~/.vault-token; addr defaults to VAULT_ADDR. */
        ReferenceInput: {
            /** @enum {string} */
            type: "command";
            argv: string[];
            /** @default 300 */
            ttl_seconds: number;
            /** @default 30 */
            timeout_seconds: number;
        } | {
            /** @enum {string} */
            type: "vault";
            /** @description http:// or https:// address; default VAULT_ADDR */
            addr?: string;
            /** @description The KV v2 mount, e.g. secret */
            mount: string;
            /** @description The secret's path in the mount, e.g. team/db */
            path: string;
            /** @description The field of the secret, e.g. password */
            field: string;
            /** @default 300 */
            ttl_seconds: number;
            /** @default 30 */
            timeout_seconds: number;
        };
        /** @description Set for a reference secret (its value stays in a vault and is fetched when it is materialized), null for a stored value. */
        Reference: {
            /** @enum {string} */
            type: "command" | "vault";
            /** @description The command line, or mount/path#field at the address (for the owner). */
            description: string;
            ttl_seconds: number;
            timeout_seconds: number;
            /** @description The command's argv (command references), null for vault ones. */
            argv: string[] | null;
            /** @description Why the last fetch failed (exit status, a redacted line of standard error, the vault's refusal), never output that could be the value; null when it worked. */
            fetch_error: string | null;
        } | null;
        UserSecret: {
            id: string;
            name: string;
            /** Format: date-time */
            created: string;
            /** Format: date-time */
            modified: string;
            /** Format: date-time */
            expires: string | null;
            expired: boolean;
            /** @description Not expired, but expires within `expiry_warning_days` (default 7; 0 turns it off). */
            expires_soon: boolean;
            /** @description The value is bytes (given as `value_base64`), not text. */
            binary: boolean;
            usage: components["schemas"]["Usage"][];
            reference?: components["schemas"]["Reference"];
            /** @description The JupyterLab extension that keeps this secret through jupyter-secrets-manager (its plugin id), or null for the user's own secrets. Such a secret cannot be renamed. */
            namespace?: string | null;
        };
    };
    responses: {
        /** @description An error, with a message that names the field and the rule */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        ProjectId: string;
        SlotId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
