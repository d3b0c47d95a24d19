import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, CSRF_HEADER, errorMessage, hasRole, parseRetryAfter, queryString, readCookie } from './api';

interface Call {
    url: string;
    init: RequestInit;
}

function fakeFetch(responses: (Response | Error)[]) {
    const calls: Call[] = [];
    const fn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
        calls.push({ url: String(url), init: init ?? {} });
        const next = responses.shift();
        if (!next) throw new Error('no more responses');
        if (next instanceof Error) throw next;
        return next;
    });
    return { fn: fn as unknown as typeof fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json', ...headers },
    });

describe('cookies and headers', () => {
    it('reads a cookie by name', () => {
        expect(readCookie('a=1; optischema_csrf=tok%3D; b=2', 'optischema_csrf')).toBe('tok=');
        expect(readCookie('optischema_csrf_x=1', 'optischema_csrf')).toBeNull();
        expect(readCookie('', 'x')).toBeNull();
        expect(readCookie('x="quoted"', 'x')).toBe('quoted');
    });
    it('parses Retry-After seconds and dates', () => {
        expect(parseRetryAfter('30')).toBe(30);
        expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60);
        expect(parseRetryAfter(null)).toBeNull();
        expect(parseRetryAfter('soon')).toBeNull();
    });
    it('builds query strings without empty values', () => {
        expect(queryString({ a: 1, b: undefined, c: '', d: null, e: 'x y' })).toBe('?a=1&e=x+y');
        expect(queryString({})).toBe('');
        expect(queryString({ from: new Date(0) })).toBe('?from=1970-01-01T00%3A00%3A00.000Z');
    });
});

describe('ApiClient', () => {
    it('sends the CSRF cookie as X-CSRF-Token on mutating requests only', async () => {
        const { fn, calls } = fakeFetch([json(200, { targets: [] }), json(202, {}), new Response(null, { status: 204 })]);
        const api = new ApiClient({ fetch: fn, cookies: () => 'optischema_csrf=abc' });
        await api.targets();
        await api.collect(1);
        await api.deleteTarget(7);
        const h = (i: number) => calls[i]!.init.headers as Record<string, string>;
        expect(h(0)[CSRF_HEADER]).toBeUndefined();
        expect(calls[1]!.init.method).toBe('POST');
        expect(h(1)[CSRF_HEADER]).toBe('abc');
        expect(calls[2]!.url).toBe('/api/v1/targets/7');
        expect(h(2)[CSRF_HEADER]).toBe('abc');
        expect(calls[1]!.init.credentials).toBe('same-origin');
    });

    it('falls back to the login token when the cookie is missing', async () => {
        const { fn, calls } = fakeFetch([
            json(200, { user: { username: 'admin', role: 'admin' }, csrf_token: 'from-login' }),
            json(200, { action_id: 5, message: 'ok' }),
            json(202, { status: 'cancelling' }),
        ]);
        const api = new ApiClient({ fetch: fn, cookies: () => '' });
        const me = await api.login('admin', 'pw');
        expect(me.user.role).toBe('admin');
        expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ username: 'admin', password: 'pw' });
        await api.apply('idx-1');
        expect((calls[1]!.init.headers as Record<string, string>)[CSRF_HEADER]).toBe('from-login');
        expect(calls[1]!.url).toBe('/api/v1/recommendations/idx-1/apply');
        expect((await api.cancelApply('idx-1')).status).toBe('cancelling');
        expect(calls[2]!.url).toBe('/api/v1/recommendations/idx-1/apply/cancel');
        expect(calls[2]!.init.method).toBe('POST');
        expect((calls[2]!.init.headers as Record<string, string>)[CSRF_HEADER]).toBe('from-login');
    });

    it('encodes path segments and range parameters', async () => {
        const { fn, calls } = fakeFetch([
            json(200, { from: '', to: '', total_ms: 0, statements: [] }),
            json(200, { fingerprint: 'a/b', query: '', totals: null, history: [] }),
        ]);
        const api = new ApiClient({ fetch: fn, cookies: () => '' });
        await api.statements(7, { from: 0, to: 3_600_000, limit: 50, search: 'orders' });
        await api.statement(7, 'a/b');
        expect(calls[0]!.url).toBe(
            '/api/v1/targets/7/statements?from=1970-01-01T00%3A00%3A00.000Z&to=1970-01-01T01%3A00%3A00.000Z&limit=50&search=orders',
        );
        expect(calls[1]!.url).toBe('/api/v1/targets/7/statements/a%2Fb');
    });

    it('turns the error envelope into an ApiError with code, message and Retry-After', async () => {
        const { fn } = fakeFetch([
            json(429, { error: { code: 'too_many_logins', message: 'Too many failed logins: wait a minute.' } }, { 'Retry-After': '42' }),
        ]);
        const api = new ApiClient({ fetch: fn, cookies: () => '' });
        const err = await api.login('a', 'b').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiError);
        expect(err).toMatchObject({ status: 429, code: 'too_many_logins', retryAfterS: 42 });
        expect(errorMessage(err)).toBe('Too many failed logins: wait a minute.');
    });

    it('keeps the checks of a 422 target rejection', async () => {
        const checks = [{ name: 'pg_stat_statements', status: 'fail', message: 'not loaded', fix: "shared_preload_libraries = 'pg_stat_statements'" }];
        const { fn } = fakeFetch([json(422, { error: { code: 'target_checks_failed', message: 'The target fails 1 check.' }, checks })]);
        const api = new ApiClient({ fetch: fn, cookies: () => '' });
        const err = (await api.createTarget({ name: 'x', dsn: 'host=x', interval_s: 60, production: false }).catch((e: unknown) => e)) as ApiError;
        expect(err.status).toBe(422);
        expect(err.checks).toEqual(checks);
    });

    it('calls onUnauthorized on 401, except for login and the session check', async () => {
        const onUnauthorized = vi.fn();
        const e401 = () => json(401, { error: { code: 'unauthorized', message: 'Log in first.' } });
        const { fn } = fakeFetch([e401(), e401(), e401()]);
        const api = new ApiClient({ fetch: fn, cookies: () => '', onUnauthorized });
        await expect(api.me()).rejects.toMatchObject({ status: 401 });
        await expect(api.login('x', 'y')).rejects.toMatchObject({ status: 401 });
        expect(onUnauthorized).not.toHaveBeenCalled();
        await expect(api.targets()).rejects.toMatchObject({ status: 401 });
        expect(onUnauthorized).toHaveBeenCalledTimes(1);
    });

    it('reports unreachable servers, non-JSON errors and non-JSON bodies clearly', async () => {
        const { fn } = fakeFetch([
            new TypeError('Failed to fetch'),
            new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
            new Response('not json', { status: 200 }),
        ]);
        const api = new ApiClient({ fetch: fn, cookies: () => '' });
        await expect(api.targets()).rejects.toMatchObject({ status: 0, code: 'network' });
        await expect(api.targets()).rejects.toMatchObject({ status: 502, message: 'The server answered 502 Bad Gateway.' });
        await expect(api.targets()).rejects.toMatchObject({ code: 'bad_response' });
    });

    it('returns text for exports and undefined for 204', async () => {
        const { fn, calls } = fakeFetch([new Response('-- sql\nCREATE INDEX ...;\n', { status: 200 }), new Response(null, { status: 204 })]);
        const api = new ApiClient({ fetch: fn, cookies: () => '' });
        expect(await api.exportText(3, 'recommendations.sql')).toBe('-- sql\nCREATE INDEX ...;\n');
        expect(calls[0]!.url).toBe('/api/v1/targets/3/export/recommendations.sql');
        expect(await api.logout()).toBeUndefined();
        expect(api.auditCsvUrl(10)).toBe('/api/v1/audit?limit=10&format=csv');
        expect(api.exportUrl(3, 'statements.csv', { from: 0 })).toBe('/api/v1/targets/3/export/statements.csv?from=1970-01-01T00%3A00%3A00.000Z');
    });

    it('asks the AI about a statement or a recommendation, with or without the cache', async () => {
        const { fn, calls } = fakeFetch([
            json(200, { model: 'm', rewrites: [] }),
            json(200, { model: 'm', rewrites: [] }),
            json(409, { error: { code: 'llm_not_configured', message: 'No AI provider is configured.' } }),
        ]);
        const api = new ApiClient({ fetch: fn, cookies: () => 'optischema_csrf=t' });
        await api.askAiStatement(1, 'c93ce44f/x');
        await api.askAiRecommendation('idx-1', true);
        expect(calls[0]!.url).toBe('/api/v1/targets/1/statements/c93ce44f%2Fx/ai');
        expect(calls[0]!.init.method).toBe('POST');
        expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ refresh: false });
        expect(calls[1]!.url).toBe('/api/v1/recommendations/idx-1/ai');
        expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ refresh: true });
        await expect(api.askAiStatement(1, 'f')).rejects.toMatchObject({ status: 409, code: 'llm_not_configured' });
    });

    it('reads, saves, tests and resets the AI provider settings; changes a user', async () => {
        const settings = { configured: true, source: 'dashboard', provider: 'openai', base_url: '', model: 'm', has_key: false, timeout_s: 60 };
        const { fn, calls } = fakeFetch([
            json(200, settings),
            json(200, settings),
            json(200, { ok: true, provider: 'openai', model: 'm', latency_ms: 12, error: null }),
            json(200, { ...settings, source: 'none' }),
            json(200, { id: 2, username: 'otto', role: 'operator' }),
        ]);
        const api = new ApiClient({ fetch: fn, cookies: () => 'optischema_csrf=t' });
        await api.llmSettings();
        const input = { provider: 'openai' as const, base_url: 'http://127.0.0.1:9/v1', model: 'm', timeout_s: 30 };
        await api.saveLlmSettings(input);
        expect((await api.testLlm(input)).ok).toBe(true);
        expect((await api.resetLlmSettings()).source).toBe('none');
        await api.updateUser(2, { role: 'operator' });
        expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
            'GET /api/v1/settings/llm',
            'PUT /api/v1/settings/llm',
            'POST /api/v1/settings/llm/test',
            'DELETE /api/v1/settings/llm',
            'PUT /api/v1/users/2',
        ]);
        expect(JSON.parse(String(calls[1]!.init.body))).toEqual(input);
        expect(JSON.parse(String(calls[2]!.init.body))).toEqual(input);
        expect(JSON.parse(String(calls[4]!.init.body))).toEqual({ role: 'operator' });
    });

    it('times out', async () => {
        vi.useFakeTimers();
        try {
            const fn = ((_: unknown, init?: RequestInit) =>
                new Promise((_resolve, reject) => {
                    init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
                })) as unknown as typeof fetch;
            const api = new ApiClient({ fetch: fn, cookies: () => '', timeoutMs: 1000 });
            const p = api.targets().catch((e: unknown) => e);
            await vi.advanceTimersByTimeAsync(1001);
            expect(await p).toMatchObject({ status: 0, code: 'timeout' });
        } finally {
            vi.useRealTimers();
        }
    });
});

describe('roles', () => {
    it('orders viewer < operator < admin', () => {
        expect(hasRole('admin', 'operator')).toBe(true);
        expect(hasRole('operator', 'operator')).toBe(true);
        expect(hasRole('viewer', 'operator')).toBe(false);
        expect(hasRole(null, 'viewer')).toBe(false);
    });
});
