// Generated from docs/openapi.json by openapi-typescript: do not edit. Regenerate with
// `npm run gen:types` (in web/); `npm run check:types` fails when this file is stale.
// src/lib/types.ts names the schemas the dashboard uses.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API as OpenAPI 3.1 (docs/openapi.json) */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live updates over a WebSocket
         * @description Upgrades to a WebSocket (the same session cookie; connections from other origins are refused with 403). Messages are StreamMessage: a snapshot of a target (its top 10 statements) or a change of its status. Send StreamSubscribe, e.g. {"subscribe": ["target:1"]}, to narrow. Served by the HTTP server's stream hub, not by the router.
         */
        get: operations["openStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log out */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is logged in */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users */
        get: operations["listUsers"];
        put?: never;
        /**
         * Create a user
         * @description Recorded in the audit log (action settings), without the body.
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change a user's role and/or password
         * @description Recorded in the audit log (action settings), without the body.
         */
        put: operations["updateUser"];
        post?: never;
        /**
         * Delete a user
         * @description Recorded in the audit log (action settings).
         */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API tokens
         * @description Your own tokens, or every user's for an admin; newest first. Never the token itself. Revoked and expired tokens stay listed for 30 days after they ended.
         */
        get: operations["listApiTokens"];
        put?: never;
        /**
         * Create an API token
         * @description The answer holds the token, once: it is never shown again (only a hash is kept). The role is at most the creator's; tokens are created from a login session, not with another token (403). Recorded in the audit log (action token_create), without the token.
         */
        post: operations["createApiToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API token
         * @description Your own token, or anyone's for an admin (404 for another user's). Requests with it then get 401. Recorded in the audit log (action token_revoke).
         */
        delete: operations["revokeApiToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The watched databases with their status */
        get: operations["listTargets"];
        put?: never;
        /**
         * Watch a new database
         * @description The DSN is tested first (as POST /targets/test). The DSN is stored encrypted. Recorded in the audit log (action settings).
         */
        post: operations["createTarget"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test a DSN: every prerequisite with its fix
         * @description Never changes the database. Recorded in the audit log (action connect), without the DSN.
         */
        post: operations["testConnection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One target with its status */
        get: operations["getTarget"];
        /**
         * Change a target
         * @description Changes name, interval, production flag and (when given) the DSN; restarts its collector. Recorded in the audit log (action settings).
         */
        put: operations["updateTarget"];
        post?: never;
        /**
         * Stop watching a target and forget its history
         * @description Recorded in the audit log (action settings).
         */
        delete: operations["deleteTarget"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/collect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Take a snapshot now */
        post: operations["collectNow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/latency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Connection latency probes over a range */
        get: operations["listLatency"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/statements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Statements ranked by total time */
        get: operations["listStatements"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/statements/{fingerprint}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One statement: totals and history over a range */
        get: operations["getStatement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/statements/{fingerprint}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Explain a statement and analyse its plan
         * @description A statement with $n parameters is explained through a runnable sample (values from pg_stats) or its generic plan.
         */
        post: operations["explainStatement"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/statements/{fingerprint}/ai": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask the AI assistant about a statement
         * @description The statement is explained first (as .../explain); the prompt holds the normalized query, a runnable sample, the plan, the findings and the tables' schemas and statistics. Rewrites are verified in the managed sandbox. A provider that fails still gives 200 with error set.
         */
        post: operations["askAiAboutStatement"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health checks and top statements of the last hour */
        get: operations["getOverview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/index-health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Duplicate, redundant, unused, invalid and bloated indexes */
        get: operations["getIndexHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/advise": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Find index recommendations for the workload
         * @description HypoPG what-if costing over the statements seen; the recommendations are stored.
         */
        post: operations["advise"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/recommendations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A target's recommendations */
        get: operations["listRecommendations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recommendations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One recommendation */
        get: operations["getRecommendation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recommendations/{id}/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Measure a recommendation in a sandbox
         * @description Real runs before and after, with result equivalence and the plan diff; stored as the recommendation's validation and audited.
         */
        post: operations["validateRecommendation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recommendations/{id}/apply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create the index (CREATE INDEX CONCURRENTLY)
         * @description Audited with a pg_stat_statements baseline, for GET /audit/{id}/impact. Answers when the index is built; 409 while the same recommendation is being applied already. An operator stops a running build with POST .../apply/cancel: the build is cancelled, no INVALID index stays, the action is audited as cancelled and this request fails.
         */
        post: operations["applyRecommendation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recommendations/{id}/apply/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a running apply of the recommendation
         * @description Cancels the CREATE INDEX CONCURRENTLY that POST .../apply started on this instance (pg_cancel_backend); the index it left INVALID is dropped. 404 when no apply of the recommendation runs here.
         */
        post: operations["cancelApply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/recommendations/{id}/ai": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask the AI assistant about a recommendation
         * @description A provider that fails still gives 200 with error set.
         */
        post: operations["askAiAboutRecommendation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/{id}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Undo an apply (DROP INDEX CONCURRENTLY) */
        post: operations["rollbackAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/{id}/impact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Realized savings since an apply */
        get: operations["getImpact"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets/{id}/export/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download statements or recommendations */
        get: operations["exportFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/llm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The AI assistant's settings (never the key)
         * @description What the dashboard saved wins over the config file's [llm] until it is deleted.
         */
        get: operations["getLlmSettings"];
        /**
         * Save the AI assistant's settings
         * @description Validated first (provider, an http(s) base URL, a model or the provider's default, Gemini's key). The API key is stored encrypted. Recorded in the audit log (action settings).
         */
        put: operations["putLlmSettings"];
        post?: never;
        /** Forget the dashboard's settings */
        delete: operations["deleteLlmSettings"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/llm/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * One tiny request to the provider
         * @description Never cached; a provider's refusal is ok false with error set. Recorded in the audit log (action connect).
         */
        post: operations["testLlmSettings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every error has this shape, with the HTTP status telling its class. */
        Error: {
            error: {
                /** @description A stable slug: invalid_argument, bad_request, unauthorized, invalid_credentials, forbidden, csrf, not_found, method_not_allowed, prerequisite_missing, checks_failed, llm_not_configured, too_many_requests, connection_failed, query_failed, parse_error, storage, internal, ... */
                code: string;
                /** @description What happened and what to do about it. */
                message: string;
                /** @description The SQLSTATE when the target database sent one (502 query_failed). */
                sqlstate?: string;
            };
        };
        /** @description 422: the target failed a check of POST /targets; each check with its fix. */
        ChecksFailedError: components["schemas"]["Error"] & {
            checks: components["schemas"]["Check"][];
        };
        /**
         * @description viewer reads; operator also validates, applies, rolls back, advises and asks the AI assistant; admin also manages targets, users and settings.
         * @enum {string}
         */
        Role: "viewer" | "operator" | "admin";
        /** @description Who is logged in ("local", admin, when authentication is disabled). */
        Principal: {
            username: string;
            role: components["schemas"]["Role"];
        };
        LoginRequest: {
            username: string;
            /** Format: password */
            password: string;
        };
        LoginResponse: {
            user: components["schemas"]["Principal"];
            /** @description Also set as the optischema_csrf cookie: send it back as X-CSRF-Token. */
            csrf_token: string;
        };
        Me: {
            user: components["schemas"]["Principal"];
            /** @description false: no login, every request is a local admin. */
            auth_enabled: boolean;
        };
        User: {
            id: number;
            username: string;
            role: components["schemas"]["Role"];
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            created_at: string;
        };
        UserList: {
            users: components["schemas"]["User"][];
        };
        /** @description A created or changed user. */
        UserSummary: {
            id: number;
            username: string;
            role: components["schemas"]["Role"];
        };
        UserCreate: {
            username: string;
            /** Format: password */
            password: string;
            /** @default viewer */
            role?: components["schemas"]["Role"];
        };
        /** @description Either or both; an absent field is unchanged. */
        UserUpdate: {
            role?: components["schemas"]["Role"];
            /** Format: password */
            password?: string;
        };
        LatencySample: {
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            at: string;
            /** @description Time to open a session (TCP, TLS, authentication). */
            connect_ms: number | null;
            /** @description Round trip of SELECT 1, median. */
            p50_ms: number | null;
            p95_ms: number | null;
            /** @description Why the probe failed; null when it worked. */
            error: string | null;
        };
        LatencyList: {
            samples: components["schemas"]["LatencySample"][];
        };
        TargetStatus: {
            /**
             * @description remote: another instance sharing the store (a fleet) collects it; last_snapshot_at comes from the store.
             * @enum {string}
             */
            state: "starting" | "up" | "down" | "remote";
            /** @description Why it is down, with what to do. */
            error: string | null;
            /** Format: date-time */
            last_snapshot_at: string | null;
            /** Format: date-time */
            down_since: string | null;
            /** @description Taken since the server started. */
            snapshots: number;
            /** @description The latest probe. */
            latency: components["schemas"]["LatencySample"] | null;
        };
        Target: {
            id: number;
            name: string;
            /** @description The DSN without its password. */
            dsn_display: string;
            interval_s: number;
            /** @description false: validating on the target itself is allowed. */
            production: boolean;
            /** @enum {string} */
            source: "config" | "api" | "cli";
            status: components["schemas"]["TargetStatus"];
        };
        TargetList: {
            targets: components["schemas"]["Target"][];
        };
        TargetCreate: {
            name: string;
            /** @description A libpq connection string or URI. */
            dsn: string;
            /** @default 60 */
            interval_s?: number;
            /** @default true */
            production?: boolean;
        };
        TargetUpdate: {
            /** @description Absent or empty: the name is kept. */
            name?: string;
            /** @description Absent or empty: the DSN is kept. */
            dsn?: string;
            /** @description Absent: the current interval is kept. */
            interval_s?: number;
            /** @description Absent: the current flag is kept. */
            production?: boolean;
        };
        Check: {
            name: string;
            /** @enum {string} */
            status: "pass" | "warn" | "fail";
            message: string;
            /** @description SQL or a configuration line that fixes it; empty when there is nothing to do. */
            fix: string;
        };
        ConnectionTestRequest: {
            dsn: string;
        };
        ConnectionTest: {
            /** @description No check failed: collection can start. */
            ok: boolean;
            server_version: string;
            checks: components["schemas"]["Check"][];
        };
        CollectStarted: {
            /** @constant */
            status: "collecting";
        };
        /** @description Counters of one statement (all queryids with the same fingerprint) over a range. */
        Statement: {
            fingerprint: string;
            /** @description Normalized text ($n for constants). */
            query: string;
            calls: number;
            total_ms: number;
            mean_ms: number;
            rows: number;
            /** @description Of the total time of all statements in the range. */
            share: number;
            cache_hit_pct: number | null;
            shared_blks_read: number;
            temp_blks_written: number;
        };
        StatementList: {
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            from: string;
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            to: string;
            total_ms: number;
            statements: components["schemas"]["Statement"][];
        };
        HistoryPoint: {
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            at: string;
            /** @description Since the previous snapshot; null for the first one. */
            interval_ms: number | null;
            calls: number;
            total_ms: number;
            mean_ms: number;
            rows: number;
        };
        StatementDetail: {
            fingerprint: string;
            query: string;
            totals: components["schemas"]["Statement"];
            history: components["schemas"]["HistoryPoint"][];
        };
        StatementsExport: {
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            from: string;
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            to: string;
            statements: components["schemas"]["Statement"][];
        };
        /** @description One node of a plan tree, recursive through children. Times are present after ANALYZE only. */
        PlanNode: {
            /** @description Pre-order index; 0 for the root. */
            id: number;
            node_type: string;
            /** @description e.g. "Seq Scan on public.orders". */
            label: string;
            /** @description schema.table when the node reads one. */
            relation: string | null;
            index?: string;
            startup_cost: number;
            total_cost: number;
            plan_rows: number;
            /** @description Per loop (ANALYZE only). */
            actual_rows?: number | null;
            /** @description ANALYZE only. */
            actual_loops?: number | null;
            /** @description This node and its children, all loops (ANALYZE only). */
            inclusive_ms?: number;
            /** @description inclusive_ms minus the children's (ANALYZE only). */
            exclusive_ms?: number;
            filter?: string;
            index_cond?: string;
            join_filter?: string;
            hash_cond?: string;
            recheck_cond?: string;
            merge_cond?: string;
            rows_removed_by_filter?: number;
            buffers?: {
                shared_hit: number;
                shared_read: number;
                temp_read: number;
                temp_written: number;
            };
            children: components["schemas"]["PlanNode"][];
        } & {
            [key: string]: unknown;
        };
        Finding: {
            /** @description Stable id, e.g. seq_scan_few_rows. */
            rule: string;
            /** @enum {string} */
            severity: "high" | "medium" | "low";
            /** @description The label of the node it points at. */
            node: string;
            node_id?: number;
            relation: string | null;
            /** @description The numbers and names behind the finding. */
            evidence: {
                [key: string]: number | string;
            };
            message: string;
            /** @description The fix, as SQL where possible. */
            suggestion: string;
            /** @description Time attributable to the problem (0 without ANALYZE). */
            impact_ms?: number;
        } & {
            [key: string]: unknown;
        };
        SampleParam: {
            /** @description n of $n. */
            number: number;
            type: string;
            value: string;
            /** @description Where the value comes from (pg_stats, a default, ...). */
            source: string;
        } & {
            [key: string]: unknown;
        };
        ExplainRequest: {
            /**
             * @description Run it (in a transaction that is rolled back).
             * @default false
             */
            analyze?: boolean;
        };
        /** @description The JSON of `optischema explain --format json`. */
        ExplainReport: {
            /** @description literal, sample, generic_plan or prepared_generic. */
            method: string;
            /** @description The statement actually explained. */
            sql: string;
            /** @description The sample's values, when method is sample. */
            params: components["schemas"]["SampleParam"][];
            analyzed?: boolean;
            planning_ms?: number | null;
            execution_ms?: number | null;
            plan: components["schemas"]["PlanNode"];
            findings: components["schemas"]["Finding"][];
        } & {
            [key: string]: unknown;
        };
        Overview: {
            target: components["schemas"]["Target"];
            /** @description PgHero-style pass/warn checks with the fix. */
            checks: components["schemas"]["Check"][];
            /** @description The 5 statements with the most total time in the last hour. */
            top: components["schemas"]["Statement"][];
            total_ms_last_hour: number;
            /** Format: date-time */
            last_snapshot_at: string | null;
        };
        IndexHealthFinding: {
            /** @description duplicate_index, redundant_index, unused_index, invalid_index, unindexed_foreign_key, index_bloat, ... */
            check: string;
            /** @enum {string} */
            severity: "high" | "medium" | "low";
            object: string;
            table: string;
            message: string;
            fix_sql: string;
            wasted_bytes: number;
        } & {
            [key: string]: unknown;
        };
        /** @description The JSON of `optischema check --format json`. */
        IndexHealth: {
            findings: components["schemas"]["IndexHealthFinding"][];
            summary: {
                indexes: number;
                tables: number;
                stats_age_s: number | null;
            } & {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        ServedQuery: {
            fingerprint: string;
            query: string;
            /** @description The runnable sample that was costed. */
            sql?: string;
            cost_before?: number;
            cost_after?: number;
        } & {
            [key: string]: unknown;
        };
        Impact: {
            weighted_by?: string;
            /** @description null when weighted by planner cost. */
            saved_ms?: number | null;
            saved_share_pct?: number;
            write_cost_ms?: number | null;
            saved_ms_per_hour?: number | null;
        } & {
            [key: string]: unknown;
        };
        /** @description One recommendation of `optischema advise --format json`. */
        AdvisedIndex: {
            id: string;
            ddl: string;
            rollback: string;
            table: string;
            /** @description btree, gin, gist, ... */
            method: string;
            columns: string[];
            include?: string[];
            where?: string | null;
            estimated_size_bytes?: number;
            queries: components["schemas"]["ServedQuery"][];
            impact: components["schemas"]["Impact"];
            confidence: string;
            reason?: string;
            write_overhead?: string;
        } & {
            [key: string]: unknown;
        };
        /** @description The JSON of `optischema advise --format json`; its recommendations are stored. */
        AdviceReport: {
            recommendations: components["schemas"]["AdvisedIndex"][];
            /** @description Statements for which no index helps, and why. */
            no_index: ({
                fingerprint: string;
                query: string;
                reason: string;
            } & {
                [key: string]: unknown;
            })[];
            /** @description Statements that could not be analysed. */
            errors: string[];
            /** @description How many statements were analysed. */
            statements: number;
        } & {
            [key: string]: unknown;
        };
        /** @description What advise found (an AdvisedIndex for an index recommendation). */
        RecommendationEvidence: {
            queries?: components["schemas"]["ServedQuery"][];
            impact?: components["schemas"]["Impact"];
            estimated_size_bytes?: number | null;
            confidence?: string;
            reason?: string;
            write_overhead?: string;
            table?: string;
            method?: string;
            columns?: string[];
        } & {
            [key: string]: unknown;
        };
        Timing: {
            median_ms: number;
            p25_ms?: number;
            p75_ms?: number;
            p95_ms: number;
            min_ms?: number;
            max_ms?: number;
            runs_ms?: number[];
        } & {
            [key: string]: unknown;
        };
        TimingSummary: {
            median_ms: number;
            p95_ms: number;
        } & {
            [key: string]: unknown;
        };
        PlanDiffNode: {
            /** @enum {string} */
            change: "same" | "changed" | "added" | "removed";
            before: string | null;
            after: string | null;
            before_ms: number;
            after_ms: number;
            before_rows: number;
            after_rows: number;
            before_blocks: number;
            after_blocks: number;
        } & {
            [key: string]: unknown;
        };
        PlanDiff: {
            join_order_changed: boolean;
            before_scan_order: string[];
            after_scan_order: string[];
            before_cost: number;
            after_cost: number;
            before_ms: number | null;
            after_ms: number | null;
            before_blocks: number;
            after_blocks: number;
            nodes: components["schemas"]["PlanDiffNode"][];
        } & {
            [key: string]: unknown;
        };
        /** @enum {string} */
        Verdict: "improved" | "no_change" | "regression" | "rejected";
        QueryValidation: {
            query: string;
            sql_before?: string;
            sql_after?: string;
            verdict: components["schemas"]["Verdict"];
            reason: string;
            speedup?: number | null;
            before: components["schemas"]["Timing"];
            after: components["schemas"]["Timing"] | null;
            /** @description Same result as the original; null when not compared. */
            equivalent?: boolean | null;
            plan_diff: components["schemas"]["PlanDiff"] | null;
            plan_before: components["schemas"]["PlanNode"] | null;
            plan_after: components["schemas"]["PlanNode"] | null;
        } & {
            [key: string]: unknown;
        };
        /** @description The JSON of `optischema validate --format json`: real runs in a sandbox, before and after. */
        Validation: {
            verdict: components["schemas"]["Verdict"];
            /** @description Before median / after median. */
            speedup: number;
            before: components["schemas"]["TimingSummary"];
            after: components["schemas"]["TimingSummary"];
            equivalent: boolean | null;
            plan_diff: components["schemas"]["PlanDiff"] | null;
            reason: string;
            recommendation?: string | null;
            ddl?: string | null;
            rewrite?: string | null;
            index_build_ms?: number | null;
            runs?: number;
            sandbox?: {
                kind: string;
                description: string;
                tables?: ({
                    table: string;
                    target_rows: number;
                    copied_rows: number;
                    sample_percent: number;
                } & {
                    [key: string]: unknown;
                })[];
                notes?: string[];
            } & {
                [key: string]: unknown;
            };
            queries: components["schemas"]["QueryValidation"][];
            /** @description The audit event of this validation. */
            audit_id?: number;
        } & {
            [key: string]: unknown;
        };
        Recommendation: {
            /** @description Stable: the same index on the same target keeps its id, e.g. idx-0123456789ab. */
            id: string;
            target_id: number;
            /** @enum {string} */
            kind: "index" | "rewrite";
            title: string;
            /** @description The DDL to apply (index) or the rewritten statement (rewrite). */
            sql: string;
            /** @description Empty for rewrites. */
            rollback_sql: string;
            evidence: components["schemas"]["RecommendationEvidence"];
            /** @description The latest validation; null until validated. */
            validation: components["schemas"]["Validation"] | null;
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            updated_at: string;
        };
        RecommendationList: {
            recommendations: components["schemas"]["Recommendation"][];
        };
        ValidateRequest: {
            /**
             * @description Timed runs per statement (clamped to 3..100).
             * @default 10
             */
            runs?: number;
        };
        ChangeResult: {
            /** @description The audit event of the change (roll back or measure it by this id). */
            action_id: number;
            message: string;
        };
        ImpactStatement: {
            fingerprint: string;
            query: string;
            calls_before: number;
            mean_ms_before: number;
            calls_since: number;
            mean_ms_since: number | null;
            saved_ms: number;
        } & {
            [key: string]: unknown;
        };
        /** @description The JSON of `optischema impact --format json`: realized savings since an apply. */
        ImpactReport: {
            action: number;
            index: string;
            saved_ms: number;
            statements: components["schemas"]["ImpactStatement"][];
        } & {
            [key: string]: unknown;
        };
        AuditEvent: {
            id: number;
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            at: string;
            /** @description user:NAME or cli:NAME. */
            actor: string;
            /** @description The target's name, or what was changed. */
            target: string;
            /** @description connect, settings, validate, apply, rollback, ... */
            action: string;
            sql: string;
            /** @description ok or failed, ... */
            outcome: string;
            error: string | null;
            duration_ms: number;
            /** @description The action this one undoes. */
            related_id: number | null;
            /** @description Action-specific JSON (an object), or its raw text when it is not JSON. */
            detail: unknown;
        };
        AuditList: {
            /** @description Newest first. */
            events: components["schemas"]["AuditEvent"][];
        };
        LlmCacheStats: {
            entries: number;
            hits: number;
            misses: number;
            hit_rate: number;
            tokens_saved: number;
            cost_saved_usd: number;
        } & {
            [key: string]: unknown;
        };
        LlmSettings: {
            /** @description A provider and model are set. */
            configured: boolean;
            /** @enum {string} */
            source: "dashboard" | "config" | "none";
            /**
             * @description null when no provider is set (source none).
             * @enum {string|null}
             */
            provider: "openai" | "gemini" | null;
            base_url: string;
            model: string;
            /** @description An API key is available; the key itself is never returned. */
            has_key: boolean;
            timeout_s: number;
            input_usd_per_mtok: number | null;
            output_usd_per_mtok: number | null;
            /** @description Why the saved settings cannot be used now (e.g. the key file is gone); null when fine. */
            problem?: string | null;
            cache: components["schemas"]["LlmCacheStats"];
        } & {
            [key: string]: unknown;
        };
        LlmSettingsInput: {
            /** @enum {string} */
            provider: "openai" | "gemini";
            /** @description Empty: the provider's public endpoint. */
            base_url?: string;
            /** @description Empty: the provider's default. */
            model?: string;
            /** @default 120 */
            timeout_s?: number;
            /** @description Price per million input tokens; give both prices or neither. */
            input_usd_per_mtok?: number | null;
            output_usd_per_mtok?: number | null;
            /**
             * Format: password
             * @description Absent: the stored key is kept (or, for a test, used); empty: the stored key is removed.
             */
            api_key?: string;
        };
        /** @description Unsaved settings (the PUT body), or {} to test the saved ones. */
        LlmTestRequest: components["schemas"]["LlmSettingsInput"] | Record<string, never>;
        LlmTestResult: {
            ok: boolean;
            provider: string;
            model: string;
            latency_ms: number;
            error: string | null;
        } & {
            [key: string]: unknown;
        };
        AiRequest: {
            /**
             * @description Skip the response cache.
             * @default false
             */
            refresh?: boolean;
            /**
             * @description Explain with ANALYZE (runs the statement, rolled back).
             * @default false
             */
            analyze?: boolean;
        };
        /** @enum {string} */
        SuggestionStatus: "verified" | "rejected" | "unverified";
        AiRewrite: {
            sql: string;
            rationale: string;
            status: components["schemas"]["SuggestionStatus"];
            reason: string;
            /** @description Measured in the managed sandbox. */
            speedup: number | null;
            planned_cost?: number | null;
            model?: string;
        } & {
            [key: string]: unknown;
        };
        AiIndexIdea: {
            ddl: string;
            rationale: string;
            status: components["schemas"]["SuggestionStatus"];
            reason: string;
            cost_before: number | null;
            cost_after: number | null;
            model?: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A language model's answer about a statement or a recommendation, with OptiSchema's verdict on each suggestion (rewrites run in the managed sandbox, index ideas costed with HypoPG). */
        AiAnswer: {
            provider: string;
            model: string;
            configured_model?: string;
            from_cache: boolean;
            input_tokens: number;
            output_tokens: number;
            cost_usd: number | null;
            latency_ms: number;
            /** @description Markdown. */
            explanation: string;
            rewrites: components["schemas"]["AiRewrite"][];
            index_ideas: components["schemas"]["AiIndexIdea"][];
            risks: string[];
            warnings: string[];
            /** @description Set when the provider failed (the plan and findings stand alone). */
            error: string | null;
        } & {
            [key: string]: unknown;
        };
        SnapshotEvent: {
            /** @constant */
            kind: "snapshot";
            target_id: number;
            snapshot_id: number;
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            taken_at: string;
            /**
             * Format: date-time
             * @description ISO 8601 UTC, e.g. 2026-11-28T01:02:03.456Z
             */
            stored_at?: string;
            delta?: boolean;
            total_ms: number;
            /** @description The top 10. */
            statements: components["schemas"]["Statement"][];
        } & {
            [key: string]: unknown;
        };
        StatusEvent: {
            /** @constant */
            kind: "status";
            target_id: number;
            status: components["schemas"]["TargetStatus"];
        } & {
            [key: string]: unknown;
        };
        /** @description A message the server sends on /api/v1/stream. */
        StreamMessage: {
            /** @constant */
            type: "event";
            /** @description target:ID */
            topic: string;
            data: components["schemas"]["SnapshotEvent"] | components["schemas"]["StatusEvent"];
        } & {
            [key: string]: unknown;
        };
        /** @description A message the client may send on /api/v1/stream to narrow what it receives. */
        StreamSubscribe: {
            /** @description Topics, e.g. target:1. */
            subscribe: string[];
        };
        Health: {
            /** @constant */
            status: "ok";
        };
        /** @description An API token as listed: never the token itself. */
        ApiToken: {
            /** @description The public id, the 16 hex digits after osk_. */
            id: string;
            name: string;
            /** @description The user name of who created it; the token acts as this user. */
            owner: string;
            role: components["schemas"]["Role"];
            /** Format: date-time */
            created_at: string;
            /**
             * Format: date-time
             * @description null: never expires.
             */
            expires_at: string | null;
            /**
             * Format: date-time
             * @description Updated at most once a minute.
             */
            last_used_at: string | null;
            /** Format: date-time */
            revoked_at: string | null;
        };
        ApiTokenList: {
            tokens: components["schemas"]["ApiToken"][];
        };
        ApiTokenCreate: {
            /** @description What it is for ("ci", "grafana"); no control characters. */
            name: string;
            /** @description Default viewer; at most the creator's role. */
            role?: components["schemas"]["Role"];
            /** @description An ISO 8601 time in the future, or "never" (admins only). Left out: 90 days from now. */
            expires_at?: string;
        };
        ApiTokenCreated: {
            /** @description Send as Authorization: Bearer <token>. Shown this once. */
            token: string;
            api_token: components["schemas"]["ApiToken"];
        };
    };
    responses: {
        /** @description Bad input (a malformed id, parameter or body): invalid_argument or bad_request. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Not logged in and no valid API token: unauthorized. */
        Unauthorized: {
            headers: {
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The role is too low (forbidden), or a session-authenticated mutation lacks the X-CSRF-Token header (csrf). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such target, statement, recommendation, action or user: not_found. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A prerequisite is missing (an extension, a preload library, a privilege): prerequisite_missing. */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The target database failed (connection_failed, or query_failed with its sqlstate). */
        BadGateway: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Any other error, e.g. 405 method_not_allowed or 500 internal. */
        UnexpectedError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        /** @description The target's id. */
        TargetId: number;
        /** @description The statement's fingerprint (the same for every queryid of one normalized statement). */
        Fingerprint: string;
        /** @description The recommendation's id, e.g. idx-0123456789ab. */
        RecommendationId: string;
        /** @description The id of an audit event (the action_id of an apply). */
        ActionId: number;
        UserId: number;
        /** @description Start of the range: ISO 8601 or Unix milliseconds. Default: one hour before `to`. */
        From: string;
        /** @description End of the range: ISO 8601 or Unix milliseconds. Default: now. */
        To: string;
        /** @description The token's public id (the 16 hex digits after osk_). */
        ApiTokenId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description This document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    openStream: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switched to the WebSocket protocol. The server sends StreamMessage; the client may send StreamSubscribe. */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description A plain HTTP request: this endpoint speaks WebSocket only. */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Logged in. Sets the optischema_session (HttpOnly) and optischema_csrf cookies. */
            200: {
                headers: {
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            /** @description Wrong user name or password: invalid_credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many failed logins for this user and address: too_many_requests. */
            429: {
                headers: {
                    /** @description Seconds to wait. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Logged out; the cookies are cleared. */
            204: {
                headers: {
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserCreate"];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listApiTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiTokenList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    createApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApiTokenCreate"];
            };
        };
        responses: {
            /** @description Created. `token` is shown this once. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiTokenCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    revokeApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The token's public id (the 16 hex digits after osk_). */
                id: components["parameters"]["ApiTokenId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked (also when it was revoked before). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listTargets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TargetList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    createTarget: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TargetCreate"];
            };
        };
        responses: {
            /** @description Created; collection starts. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Target"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description A check failed: nothing was saved (checks_failed), each check with its fix. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChecksFailedError"];
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    testConnection: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConnectionTestRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTest"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getTarget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Target"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    updateTarget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TargetUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Target"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    deleteTarget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    collectNow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted: the collector takes a snapshot. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectStarted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description Another instance sharing the store collects this target (prerequisite_missing). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
    listLatency: {
        parameters: {
            query?: {
                /** @description Start of the range: ISO 8601 or Unix milliseconds. Default: one hour before `to`. */
                from?: components["parameters"]["From"];
                /** @description End of the range: ISO 8601 or Unix milliseconds. Default: now. */
                to?: components["parameters"]["To"];
            };
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LatencyList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listStatements: {
        parameters: {
            query?: {
                /** @description Start of the range: ISO 8601 or Unix milliseconds. Default: one hour before `to`. */
                from?: components["parameters"]["From"];
                /** @description End of the range: ISO 8601 or Unix milliseconds. Default: now. */
                to?: components["parameters"]["To"];
                /** @description At most this many (max 5000). */
                limit?: number;
                /** @description Case-insensitive substring of the query text, or an exact fingerprint. */
                search?: string;
            };
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatementList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getStatement: {
        parameters: {
            query?: {
                /** @description Start of the range: ISO 8601 or Unix milliseconds. Default: one hour before `to`. */
                from?: components["parameters"]["From"];
                /** @description End of the range: ISO 8601 or Unix milliseconds. Default: now. */
                to?: components["parameters"]["To"];
            };
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
                /** @description The statement's fingerprint (the same for every queryid of one normalized statement). */
                fingerprint: components["parameters"]["Fingerprint"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatementDetail"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    explainStatement: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
                /** @description The statement's fingerprint (the same for every queryid of one normalized statement). */
                fingerprint: components["parameters"]["Fingerprint"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ExplainRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExplainReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    askAiAboutStatement: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
                /** @description The statement's fingerprint (the same for every queryid of one normalized statement). */
                fingerprint: components["parameters"]["Fingerprint"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AiRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiAnswer"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description No provider is configured (llm_not_configured). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getOverview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Overview"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getIndexHealth: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IndexHealth"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    advise: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdviceReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listRecommendations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecommendationList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getRecommendation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The recommendation's id, e.g. idx-0123456789ab. */
                id: components["parameters"]["RecommendationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Recommendation"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    validateRecommendation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The recommendation's id, e.g. idx-0123456789ab. */
                id: components["parameters"]["RecommendationId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ValidateRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Validation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    applyRecommendation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The recommendation's id, e.g. idx-0123456789ab. */
                id: components["parameters"]["RecommendationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChangeResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    cancelApply: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The recommendation's id, e.g. idx-0123456789ab. */
                id: components["parameters"]["RecommendationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancelling */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "cancelling";
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    askAiAboutRecommendation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The recommendation's id, e.g. idx-0123456789ab. */
                id: components["parameters"]["RecommendationId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AiRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AiAnswer"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description No provider is configured (llm_not_configured). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    rollbackAction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of an audit event (the action_id of an apply). */
                id: components["parameters"]["ActionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChangeResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getImpact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id of an audit event (the action_id of an apply). */
                id: components["parameters"]["ActionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImpactReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listAudit: {
        parameters: {
            query?: {
                /** @description At most this many; default all. */
                limit?: number;
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The events, as JSON or (format=csv) as CSV. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditList"];
                    "text/csv": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    exportFile: {
        parameters: {
            query?: {
                /** @description Start of the range: ISO 8601 or Unix milliseconds. Default: one hour before `to`. */
                from?: components["parameters"]["From"];
                /** @description End of the range: ISO 8601 or Unix milliseconds. Default: now. */
                to?: components["parameters"]["To"];
            };
            header?: never;
            path: {
                /** @description The target's id. */
                id: components["parameters"]["TargetId"];
                file: "statements.csv" | "statements.json" | "recommendations.sql";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An attachment (Content-Disposition): statements.csv and statements.json over the range; recommendations.sql holds every index recommendation's DDL with its rollback as a comment. */
            200: {
                headers: {
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/json": components["schemas"]["StatementsExport"];
                    "application/sql": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getLlmSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LlmSettings"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    putLlmSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LlmSettingsInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LlmSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    deleteLlmSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Back to the config file's settings. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LlmSettings"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    testLlmSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LlmTestRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LlmTestResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            /** @description No provider is configured (llm_not_configured). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            default: components["responses"]["UnexpectedError"];
        };
    };
}
