// Contract test of the HTTP API against docs/openapi.json. Without a server it checks that every schema of
// the document compiles in Ajv's strict mode (JSON Schema 2020-12, the dialect of OpenAPI 3.1). With a running
// `optischema serve` (OPTISCHEMA_URL, the admin password in OPTISCHEMA_ADMIN_PASSWORD) it logs in, calls every
// safe GET endpoint and POST .../explain on the top statement, plus a few refusals, and validates each status,
// content type and body against what the document says for that operation, and the first messages of the
// WebSocket against StreamMessage. A mismatch fails with the path and Ajv's errors. The server must serve the same
// document as docs/openapi.json.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import WebSocket from 'ws';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
const skip = process.env.OPTISCHEMA_URL ? false : 'set OPTISCHEMA_URL and OPTISCHEMA_ADMIN_PASSWORD';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
// The keywords of an OpenAPI document's root: Ajv sees the document as one schema and must accept them.
const OPENAPI_ROOT = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'];

const pointer = (...parts) => '#/' + parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function makeAjv() {
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addFormat('password', true);
    ajv.addVocabulary(OPENAPI_ROOT);
    ajv.addSchema(doc, 'openapi.json');
    return ajv;
}

const ajv = makeAjv();
const compiled = new Map();
function validatorAt(ref) {
    if (!compiled.has(ref)) compiled.set(ref, ajv.compile({ $ref: `openapi.json${ref}` }));
    return compiled.get(ref);
}

function resolve(node) {
    let n = node;
    while (n && n.$ref) {
        n = n.$ref
            .slice(2)
            .split('/')
            .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
            .reduce((o, k) => o?.[k], doc);
    }
    return n;
}

/// Where the schema of (pattern, method, status, content type) is, as a JSON pointer into the document.
function responseSchemaRef(pattern, method, status, contentType) {
    const operation = doc.paths[pattern]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${pattern} is not in docs/openapi.json`);
    const key = operation.responses[String(status)] ? String(status) : 'default';
    const response = operation.responses[key];
    assert.ok(response, `${method.toUpperCase()} ${pattern}: status ${status} is not documented`);
    const base = response.$ref ? response.$ref : pointer('paths', pattern, method, 'responses', key);
    const resolved = resolve(response);
    assert.ok(resolved.content?.[contentType], `${method.toUpperCase()} ${pattern} ${status}: content type ${contentType} is not documented (documented: ${Object.keys(resolved.content ?? {}).join(', ') || 'no body'})`);
    return `${base}/content/${contentType.replace(/\//g, '~1')}/schema`;
}

function errorsText(validate) {
    return (validate.errors ?? []).map((e) => `  ${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('\n');
}

describe('docs/openapi.json', () => {
    test('is OpenAPI 3.1 and every schema, request body and response compiles in strict mode', () => {
        assert.match(doc.openapi, /^3\.1\./);
        for (const name of Object.keys(doc.components.schemas)) validatorAt(pointer('components', 'schemas', name));
        for (const [pattern, item] of Object.entries(doc.paths)) {
            for (const method of METHODS.filter((m) => item[m])) {
                const op = item[method];
                for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
                    if (media.schema) validatorAt(pointer('paths', pattern, method, 'requestBody', 'content', type, 'schema'));
                }
                for (const status of Object.keys(op.responses)) {
                    const response = resolve(op.responses[status]);
                    for (const type of Object.keys(response.content ?? {})) responseSchemaRef(pattern, method, status, type);
                }
                for (const p of op.parameters ?? []) assert.ok(resolve(p)?.schema, `${method} ${pattern}: a parameter without schema`);
            }
        }
    });
});

describe('the API answers as docs/openapi.json says', { skip }, () => {
    const base = (process.env.OPTISCHEMA_URL ?? '').replace(/\/$/, '');
    let cookie = '';
    let csrf = '';
    let target;
    let statement;

    /// Calls `path` (a concrete path of `pattern`), checks the status and validates the body.
    async function call(method, pattern, path, { status = 200, body, auth = true, sendCsrf = true } = {}) {
        const headers = { Accept: 'application/json, text/csv, text/plain, application/sql' };
        if (auth && cookie) headers.Cookie = cookie;
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        if (auth && sendCsrf && method !== 'get' && csrf) headers['X-CSRF-Token'] = csrf;
        const res = await fetch(`${base}${path}`, { method: method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        const where = `${method.toUpperCase()} ${path}`;
        assert.equal(res.status, status, `${where}: status ${res.status}, expected ${status}: ${text.slice(0, 500)}`);
        const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
        if (res.status === 204) return { res, text };
        const ref = responseSchemaRef(pattern, method, res.status, contentType);
        if (contentType !== 'application/json') return { res, text };
        let data;
        assert.doesNotThrow(() => (data = JSON.parse(text)), `${where}: the body is not JSON`);
        const validate = validatorAt(ref);
        assert.ok(validate(data), `${where} ${res.status} does not match ${ref}:\n${errorsText(validate)}`);
        return { res, text, data };
    }

    before(async () => {
        const login = await call('post', '/api/v1/auth/login', '/api/v1/auth/login', {
            auth: false,
            body: { username: 'admin', password: process.env.OPTISCHEMA_ADMIN_PASSWORD ?? '' },
        });
        cookie = login.res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
        csrf = login.data.csrf_token;
        assert.match(cookie, /optischema_session=/);
        const targets = await call('get', '/api/v1/targets', '/api/v1/targets');
        assert.ok(targets.data.targets.length > 0, 'the server watches no target');
        target = targets.data.targets[0];
    });

    test('the server serves docs/openapi.json as it is in the source tree', async () => {
        const { data } = await call('get', '/api/v1/openapi.json', '/api/v1/openapi.json', { auth: false });
        assert.deepEqual(data, doc, 'GET /api/v1/openapi.json differs from docs/openapi.json: rebuild the server');
    });

    test('health and metrics', async () => {
        await call('get', '/healthz', '/healthz', { auth: false });
        const { text } = await call('get', '/metrics', '/metrics', { auth: false });
        assert.match(text, /^# (HELP|TYPE) /m);
    });

    test('auth: me', async () => {
        const { data } = await call('get', '/api/v1/auth/me', '/api/v1/auth/me');
        assert.equal(data.user.role, 'admin');
    });

    test('targets: one target and its latency', async () => {
        await call('get', '/api/v1/targets/{id}', `/api/v1/targets/${target.id}`);
        const to = Date.now();
        await call('get', '/api/v1/targets/{id}/latency', `/api/v1/targets/${target.id}/latency?from=${to - 3_600_000}&to=${to}`);
        await call('get', '/api/v1/targets/{id}/latency', `/api/v1/targets/${target.id}/latency`);
    });

    test('statements: the ranking, one statement, a search', async () => {
        const { data } = await call('get', '/api/v1/targets/{id}/statements', `/api/v1/targets/${target.id}/statements?limit=20`);
        assert.ok(data.statements.length > 0, 'no statements yet');
        statement = data.statements[0];
        await call('get', '/api/v1/targets/{id}/statements/{fingerprint}', `/api/v1/targets/${target.id}/statements/${encodeURIComponent(statement.fingerprint)}`);
        const now = new Date();
        const from = new Date(now.getTime() - 24 * 3_600_000).toISOString();
        await call('get', '/api/v1/targets/{id}/statements', `/api/v1/targets/${target.id}/statements?from=${encodeURIComponent(from)}&to=${encodeURIComponent(now.toISOString())}&search=select&limit=5`);
    });

    test('statements: explain the top statement', async () => {
        assert.ok(statement, 'no statement to explain');
        const { data } = await call('post', '/api/v1/targets/{id}/statements/{fingerprint}/explain', `/api/v1/targets/${target.id}/statements/${encodeURIComponent(statement.fingerprint)}/explain`, { body: { analyze: false } });
        assert.ok(data.plan.node_type);
    });

    test('overview and index health', async () => {
        await call('get', '/api/v1/targets/{id}/overview', `/api/v1/targets/${target.id}/overview`);
        await call('get', '/api/v1/targets/{id}/index-health', `/api/v1/targets/${target.id}/index-health`);
    });

    test('recommendations: the list and each one', async () => {
        const { data } = await call('get', '/api/v1/targets/{id}/recommendations', `/api/v1/targets/${target.id}/recommendations`);
        for (const rec of data.recommendations.slice(0, 5)) {
            await call('get', '/api/v1/recommendations/{id}', `/api/v1/recommendations/${encodeURIComponent(rec.id)}`);
        }
    });

    test('audit: JSON, CSV, and the impact of an apply', async () => {
        const { data } = await call('get', '/api/v1/audit', '/api/v1/audit?limit=200');
        const { res } = await call('get', '/api/v1/audit', '/api/v1/audit?format=csv&limit=5');
        assert.match(res.headers.get('content-type'), /^text\/csv/);
        const apply = data.events.find((e) => e.action === 'apply' && e.outcome === 'ok');
        if (apply) await call('get', '/api/v1/audit/{id}/impact', `/api/v1/audit/${apply.id}/impact`);
    });

    test('exports', async () => {
        await call('get', '/api/v1/targets/{id}/export/{file}', `/api/v1/targets/${target.id}/export/statements.json`);
        await call('get', '/api/v1/targets/{id}/export/{file}', `/api/v1/targets/${target.id}/export/statements.csv`);
        await call('get', '/api/v1/targets/{id}/export/{file}', `/api/v1/targets/${target.id}/export/recommendations.sql`);
    });

    test('users', async () => {
        const { data } = await call('get', '/api/v1/users', '/api/v1/users');
        assert.ok(data.users.some((u) => u.username === 'admin'));
    });

    test('settings: the AI assistant', async () => {
        await call('get', '/api/v1/settings/llm', '/api/v1/settings/llm');
    });

    test('the WebSocket sends StreamMessage', async () => {
        const url = `${base.replace(/^http/, 'ws')}/api/v1/stream`;
        const ws = new WebSocket(url, { headers: { Cookie: cookie, Origin: base } });
        const validate = validatorAt(pointer('components', 'schemas', 'StreamMessage'));
        const seen = [];
        try {
            await new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no snapshot on ${url} in 60 s (got ${seen.length} messages)`)), 60_000);
                ws.on('error', (e) => {
                    clearTimeout(timer);
                    reject(e);
                });
                ws.on('message', (raw) => {
                    const message = JSON.parse(String(raw));
                    seen.push(message);
                    if (!validate(message)) {
                        clearTimeout(timer);
                        reject(new Error(`a stream message does not match StreamMessage:\n${errorsText(validate)}\n${String(raw).slice(0, 500)}`));
                    } else if (message.data?.kind === 'snapshot') {
                        clearTimeout(timer);
                        resolve();
                    }
                });
            });
        } finally {
            ws.terminate();
        }
    });

    test('refusals have the documented error shape', async () => {
        await call('get', '/api/v1/targets', '/api/v1/targets', { auth: false, status: 401 });
        await call('get', '/api/v1/targets/{id}', '/api/v1/targets/not-a-number', { status: 400 });
        await call('get', '/api/v1/targets/{id}', '/api/v1/targets/987654321', { status: 404 });
        await call('get', '/api/v1/recommendations/{id}', '/api/v1/recommendations/idx-does-not-exist', { status: 404 });
        // Refused before the handler runs: nothing is explained.
        await call('post', '/api/v1/targets/{id}/statements/{fingerprint}/explain', `/api/v1/targets/${target.id}/statements/x/explain`, { body: {}, sendCsrf: false, status: 403 });
        await call('post', '/api/v1/auth/login', '/api/v1/auth/login', { auth: false, body: { username: 'admin' }, status: 400 });
    });
});
