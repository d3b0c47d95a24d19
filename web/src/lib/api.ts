// The HTTP API client (docs/API.md): JSON in and out, the session cookie sent by the browser, the
// CSRF double-submit header on every mutating request, one error type for every failure.

import type {
    AiAnswer,
    ApiToken,
    ApiTokenCreated,
    AuditEvent,
    ChangeResponse,
    ExplainResponse,
    ImpactResponse,
    IndexHealthResponse,
    LatencySample,
    LlmSettings,
    LlmSettingsInput,
    LlmTestResponse,
    LoginResponse,
    ManagedUser,
    MeResponse,
    OverviewResponse,
    Recommendation,
    Role,
    StatementDetail,
    StatementsResponse,
    Target,
    TargetCreate,
    TargetUpdate,
    TargetTestResponse,
    Check,
    Validation,
} from './types';

export const API_BASE = '/api/v1';
export const CSRF_COOKIE = 'optischema_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/// How long an AI request may take: explaining, the provider (with its retries) and verifying the
/// suggestions in the sandbox.
export const AI_TIMEOUT_MS = 300_000;

/// Any failure of an API call. `status` is 0 when the server could not be reached or timed out.
export class ApiError extends Error {
    readonly status: number;
    readonly code: string;
    /// Seconds to wait, from Retry-After (429).
    readonly retryAfterS: number | null;
    /// The target checks of a 422 from POST /targets.
    readonly checks: Check[];

    constructor(status: number, code: string, message: string, retryAfterS: number | null = null, checks: Check[] = []) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.retryAfterS = retryAfterS;
        this.checks = checks;
    }
}

/// The value of cookie `name` in a document.cookie string, or null.
export function readCookie(cookies: string, name: string): string | null {
    for (const part of cookies.split(';')) {
        const eq = part.indexOf('=');
        if (eq < 0) continue;
        if (part.slice(0, eq).trim() === name) {
            const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
            try {
                return decodeURIComponent(raw);
            } catch {
                return raw;
            }
        }
    }
    return null;
}

/// Seconds from a Retry-After header (delta-seconds or an HTTP date), or null.
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
    if (!value) return null;
    if (/^\d+$/.test(value.trim())) return Number(value.trim());
    const at = Date.parse(value);
    return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : null;
}

/// Query parameter values: Dates and Unix milliseconds become ISO 8601; undefined, null and '' are left out.
export function queryString(params: Record<string, unknown> | undefined): string {
    if (!params) return '';
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
        if (v === undefined || v === null || v === '') continue;
        if (v instanceof Date) q.set(k, v.toISOString());
        else q.set(k, String(v));
    }
    const s = q.toString();
    return s ? `?${s}` : '';
}

function seg(v: string | number): string {
    return encodeURIComponent(String(v));
}

function iso(ms: number | undefined): string | undefined {
    return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

export interface RangeParams {
    from?: number;
    to?: number;
}

export interface RequestOptions {
    body?: unknown;
    query?: Record<string, unknown>;
    signal?: AbortSignal;
    /// Milliseconds before the call is abandoned (default 30 s; validation asks for more).
    timeoutMs?: number;
    /// Return the body as text (exports) instead of JSON.
    text?: boolean;
    /// Do not call onUnauthorized on 401 (login and the session check handle it themselves).
    quiet401?: boolean;
}

export interface ApiClientOptions {
    base?: string;
    fetch?: typeof fetch;
    /// The page's cookies (document.cookie); injectable for tests.
    cookies?: () => string;
    onUnauthorized?: () => void;
    timeoutMs?: number;
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

async function errorFrom(res: Response): Promise<ApiError> {
    let code = `http_${res.status}`;
    let message = `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
    let checks: Check[] = [];
    try {
        const text = await res.text();
        if (text) {
            const body = JSON.parse(text) as { error?: unknown; checks?: unknown };
            const e = body.error;
            if (e && typeof e === 'object') {
                const o = e as { code?: unknown; message?: unknown };
                if (typeof o.code === 'string') code = o.code;
                if (typeof o.message === 'string' && o.message) message = o.message;
            } else if (typeof e === 'string' && e) {
                message = e;
            }
            if (Array.isArray(body.checks)) checks = body.checks as Check[];
        }
    } catch {
        // Not JSON (a proxy's error page): keep the status line.
    }
    return new ApiError(res.status, code, message, parseRetryAfter(res.headers.get('Retry-After')), checks);
}

export class ApiClient {
    private readonly base: string;
    private readonly fetchFn: typeof fetch;
    private readonly cookies: () => string;
    private readonly timeoutMs: number;
    /// The token from the last login, used when the CSRF cookie cannot be read.
    private csrfToken: string | null = null;
    onUnauthorized: (() => void) | undefined;

    constructor(options: ApiClientOptions = {}) {
        this.base = options.base ?? API_BASE;
        this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
        this.cookies = options.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
        this.timeoutMs = options.timeoutMs ?? 30_000;
        this.onUnauthorized = options.onUnauthorized;
    }

    /// The CSRF token to send: the cookie's value, else the one from login.
    csrf(): string | null {
        return readCookie(this.cookies(), CSRF_COOKIE) ?? this.csrfToken;
    }

    url(path: string, query?: Record<string, unknown>): string {
        return `${this.base}${path}${queryString(query)}`;
    }

    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
        const headers: Record<string, string> = { Accept: options.text ? '*/*' : 'application/json' };
        if (options.body !== undefined) headers['Content-Type'] = 'application/json';
        if (MUTATING.has(method)) {
            const token = this.csrf();
            if (token) headers[CSRF_HEADER] = token;
        }
        const controller = new AbortController();
        const timeoutMs = options.timeoutMs ?? this.timeoutMs;
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            controller.abort();
        }, timeoutMs);
        const onAbort = () => controller.abort();
        options.signal?.addEventListener('abort', onAbort);
        let res: Response;
        try {
            res = await this.fetchFn(this.url(path, options.query), {
                method,
                headers,
                body: options.body === undefined ? undefined : JSON.stringify(options.body),
                credentials: 'same-origin',
                signal: controller.signal,
            });
        } catch (e) {
            if (timedOut) {
                throw new ApiError(0, 'timeout', `The server did not answer within ${Math.round(timeoutMs / 1000)} s. Try again.`);
            }
            if (options.signal?.aborted) throw new ApiError(0, 'aborted', 'The request was cancelled.');
            throw new ApiError(0, 'network', `Cannot reach the OptiSchema server (${e instanceof Error ? e.message : 'network error'}). Is it running?`);
        } finally {
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', onAbort);
        }
        if (!res.ok) {
            const err = await errorFrom(res);
            if (res.status === 401 && !options.quiet401) this.onUnauthorized?.();
            throw err;
        }
        if (res.status === 204) return undefined as T;
        const text = await res.text();
        if (options.text) return text as T;
        if (text === '') return undefined as T;
        try {
            return JSON.parse(text) as T;
        } catch {
            throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not JSON.');
        }
    }

    get<T>(path: string, options?: RequestOptions): Promise<T> {
        return this.request<T>('GET', path, options);
    }
    post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
        return this.request<T>('POST', path, { ...options, body: body ?? {} });
    }
    put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
        return this.request<T>('PUT', path, { ...options, body: body ?? {} });
    }
    delete<T>(path: string, options?: RequestOptions): Promise<T> {
        return this.request<T>('DELETE', path, options);
    }

    // Authentication.
    async login(username: string, password: string): Promise<LoginResponse> {
        const r = await this.post<LoginResponse>('/auth/login', { username, password }, { quiet401: true });
        this.csrfToken = r?.csrf_token ?? null;
        return r;
    }
    async logout(): Promise<void> {
        try {
            await this.post<void>('/auth/logout', {}, { quiet401: true });
        } finally {
            this.csrfToken = null;
        }
    }
    me(): Promise<MeResponse> {
        return this.get<MeResponse>('/auth/me', { quiet401: true });
    }

    // Targets.
    async targets(signal?: AbortSignal): Promise<Target[]> {
        const r = await this.get<{ targets: Target[] }>('/targets', { signal });
        return Array.isArray(r?.targets) ? r.targets : [];
    }
    testTarget(dsn: string): Promise<TargetTestResponse> {
        return this.post<TargetTestResponse>('/targets/test', { dsn }, { timeoutMs: 60_000 });
    }
    createTarget(input: TargetCreate): Promise<Target> {
        return this.post<Target>('/targets', input, { timeoutMs: 60_000 });
    }
    updateTarget(id: Target['id'], input: TargetUpdate): Promise<Target> {
        return this.put<Target>(`/targets/${seg(id)}`, input, { timeoutMs: 60_000 });
    }
    deleteTarget(id: Target['id']): Promise<void> {
        return this.delete<void>(`/targets/${seg(id)}`);
    }
    collect(id: Target['id']): Promise<void> {
        return this.post<void>(`/targets/${seg(id)}/collect`, {});
    }
    async latency(id: Target['id'], range: RangeParams = {}, signal?: AbortSignal): Promise<LatencySample[]> {
        const r = await this.get<{ samples: LatencySample[] }>(`/targets/${seg(id)}/latency`, {
            query: { from: iso(range.from), to: iso(range.to) },
            signal,
        });
        return Array.isArray(r?.samples) ? r.samples : [];
    }

    // Statements.
    statements(
        id: Target['id'],
        params: RangeParams & { limit?: number; search?: string } = {},
        signal?: AbortSignal,
    ): Promise<StatementsResponse> {
        return this.get<StatementsResponse>(`/targets/${seg(id)}/statements`, {
            query: { from: iso(params.from), to: iso(params.to), limit: params.limit, search: params.search },
            signal,
        });
    }
    statement(id: Target['id'], fingerprint: string, range: RangeParams = {}, signal?: AbortSignal): Promise<StatementDetail> {
        return this.get<StatementDetail>(`/targets/${seg(id)}/statements/${seg(fingerprint)}`, {
            query: { from: iso(range.from), to: iso(range.to) },
            signal,
        });
    }
    explain(id: Target['id'], fingerprint: string, analyze: boolean): Promise<ExplainResponse> {
        return this.post<ExplainResponse>(
            `/targets/${seg(id)}/statements/${seg(fingerprint)}/explain`,
            { analyze },
            { timeoutMs: 120_000 },
        );
    }

    // Overview and index health.
    overview(id: Target['id'], signal?: AbortSignal): Promise<OverviewResponse> {
        return this.get<OverviewResponse>(`/targets/${seg(id)}/overview`, { signal });
    }
    indexHealth(id: Target['id'], signal?: AbortSignal): Promise<IndexHealthResponse> {
        return this.get<IndexHealthResponse>(`/targets/${seg(id)}/index-health`, { signal, timeoutMs: 60_000 });
    }

    // Recommendations and changes.
    advise(id: Target['id']): Promise<unknown> {
        return this.post<unknown>(`/targets/${seg(id)}/advise`, {}, { timeoutMs: 300_000 });
    }
    async recommendations(id: Target['id'], signal?: AbortSignal): Promise<Recommendation[]> {
        const r = await this.get<{ recommendations: Recommendation[] }>(`/targets/${seg(id)}/recommendations`, { signal });
        return Array.isArray(r?.recommendations) ? r.recommendations : [];
    }
    recommendation(rid: string, signal?: AbortSignal): Promise<Recommendation> {
        return this.get<Recommendation>(`/recommendations/${seg(rid)}`, { signal });
    }
    validate(rid: string, runs = 10): Promise<Validation> {
        return this.post<Validation>(`/recommendations/${seg(rid)}/validate`, { runs }, { timeoutMs: 600_000 });
    }
    apply(rid: string): Promise<ChangeResponse> {
        return this.post<ChangeResponse>(`/recommendations/${seg(rid)}/apply`, {}, { timeoutMs: 600_000 });
    }
    /// Stops the index build a running apply of `rid` started (on the instance that runs it).
    cancelApply(rid: string): Promise<{ status: string }> {
        return this.post<{ status: string }>(`/recommendations/${seg(rid)}/apply/cancel`, {});
    }
    rollback(actionId: number): Promise<ChangeResponse> {
        return this.post<ChangeResponse>(`/audit/${seg(actionId)}/rollback`, {}, { timeoutMs: 600_000 });
    }
    impact(actionId: number, signal?: AbortSignal): Promise<ImpactResponse> {
        return this.get<ImpactResponse>(`/audit/${seg(actionId)}/impact`, { signal });
    }

    // Audit log and exports.
    async audit(limit = 200, signal?: AbortSignal): Promise<AuditEvent[]> {
        const r = await this.get<{ events: AuditEvent[] }>('/audit', { query: { limit }, signal });
        return Array.isArray(r?.events) ? r.events : [];
    }
    auditCsvUrl(limit = 1000): string {
        return this.url('/audit', { limit, format: 'csv' });
    }
    exportUrl(id: Target['id'], file: 'statements.csv' | 'statements.json' | 'recommendations.sql', range: RangeParams = {}): string {
        const q = file === 'recommendations.sql' ? undefined : { from: iso(range.from), to: iso(range.to) };
        return this.url(`/targets/${seg(id)}/export/${file}`, q);
    }
    exportText(id: Target['id'], file: 'statements.csv' | 'statements.json' | 'recommendations.sql', range: RangeParams = {}): Promise<string> {
        const q = file === 'recommendations.sql' ? undefined : { from: iso(range.from), to: iso(range.to) };
        return this.get<string>(`/targets/${seg(id)}/export/${file}`, { query: q, text: true });
    }

    // Users.
    async users(signal?: AbortSignal): Promise<ManagedUser[]> {
        const r = await this.get<{ users: ManagedUser[] }>('/users', { signal });
        return Array.isArray(r?.users) ? r.users : [];
    }
    createUser(username: string, password: string, role: Role): Promise<ManagedUser> {
        return this.post<ManagedUser>('/users', { username, password, role });
    }
    updateUser(id: ManagedUser['id'], change: { role?: Role; password?: string }): Promise<ManagedUser> {
        return this.put<ManagedUser>(`/users/${seg(id)}`, change);
    }
    deleteUser(id: ManagedUser['id']): Promise<void> {
        return this.delete<void>(`/users/${seg(id)}`);
    }

    // API tokens.
    async apiTokens(signal?: AbortSignal): Promise<ApiToken[]> {
        const r = await this.get<{ tokens: ApiToken[] }>('/tokens', { signal });
        return Array.isArray(r?.tokens) ? r.tokens : [];
    }
    /// The answer holds the token itself, once.
    createApiToken(name: string, role: Role, expiresAt: string): Promise<ApiTokenCreated> {
        return this.post<ApiTokenCreated>('/tokens', { name, role, expires_at: expiresAt });
    }
    revokeApiToken(id: ApiToken['id']): Promise<void> {
        return this.delete<void>(`/tokens/${seg(id)}`);
    }

    // AI assistant.
    llmSettings(signal?: AbortSignal): Promise<LlmSettings> {
        return this.get<LlmSettings>('/settings/llm', { signal });
    }
    saveLlmSettings(input: LlmSettingsInput): Promise<LlmSettings> {
        return this.put<LlmSettings>('/settings/llm', input);
    }
    resetLlmSettings(): Promise<LlmSettings> {
        return this.delete<LlmSettings>('/settings/llm');
    }
    /// One tiny request with the given (unsaved) settings; the server retries, so allow it time.
    testLlm(input: LlmSettingsInput): Promise<LlmTestResponse> {
        return this.post<LlmTestResponse>('/settings/llm/test', input, { timeoutMs: AI_TIMEOUT_MS });
    }
    askAiStatement(id: Target['id'], fingerprint: string, refresh = false): Promise<AiAnswer> {
        return this.post<AiAnswer>(`/targets/${seg(id)}/statements/${seg(fingerprint)}/ai`, { refresh }, { timeoutMs: AI_TIMEOUT_MS });
    }
    askAiRecommendation(rid: string, refresh = false): Promise<AiAnswer> {
        return this.post<AiAnswer>(`/recommendations/${seg(rid)}/ai`, { refresh }, { timeoutMs: AI_TIMEOUT_MS });
    }
}

/// True when `role` may do what `needed` may (viewer < operator < admin).
export function hasRole(role: Role | null | undefined, needed: Role): boolean {
    const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
    return !!role && (rank[role] ?? 0) >= rank[needed];
}

/// A message for any thrown value, for error states.
export function errorMessage(e: unknown): string {
    if (e instanceof ApiError) return e.message;
    if (e instanceof Error) return e.message || 'Something went wrong.';
    return 'Something went wrong.';
}
