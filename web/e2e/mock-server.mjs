// A stand-in for `optischema serve` that implements docs/API.md over the recorded CLI outputs in
// web/testdata, so the dashboard can be developed and its browser tests run before (or without)
// the real server. It is stateful (sessions, CSRF, targets, recommendations, audit log, users),
// sends the real server's security headers (CSP included) and pushes a snapshot over the WebSocket
// every few seconds; the AI assistant asks whichever OpenAI-compatible server is configured. Never
// used by the product.
//
//   node e2e/mock-server.mjs [--port 8090]     env: OPTISCHEMA_ADMIN_PASSWORD (default admin-password)

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', 'dist');
const fixture = (name) => JSON.parse(readFileSync(join(here, '..', 'testdata', name), 'utf8'));

const CSP =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const SNAPSHOT_EVERY_MS = Number(process.env.MOCK_SNAPSHOT_MS ?? 3000);

export function startMockServer({ port = 0, adminPassword = 'admin-password', quiet = true } = {}) {
    const top = fixture('top.json');
    const advise = fixture('advise.json');
    const check = fixture('check.json');
    const explainAnalyze = fixture('explain.json');
    const explainJoin = fixture('explain_join.json');
    const explainPlain = fixture('explain_noanalyze.json');
    const validateFx = fixture('validate.json');
    const impactFx = fixture('impact.json');

    const started = Date.now();
    const users = [{ id: 1, username: 'admin', password: adminPassword, role: 'admin', created_at: new Date(started - 86_400_000).toISOString() }];
    let nextUserId = 2;
    const sessions = new Map(); // token -> { username, role, csrf }
    const loginFailures = { count: 0, until: 0 };
    let nextTargetId = 2;
    const targets = [
        {
            id: 1,
            name: 'shop',
            dsn_display: 'postgres@/var/run/postgresql:5432/shop',
            interval_s: 10,
            production: false,
            source: 'config',
            status: { state: 'up', error: null, last_snapshot_at: new Date(started).toISOString(), down_since: null, snapshots: 120, latency: null },
        },
    ];

    // Statement history: one point every 5 minutes for two days, then one per live snapshot. One
    // statement got 3x slower in the last hour and one got 2x faster, so Analytics has something to find.
    const statements = top.statements;
    const history = new Map(statements.map((s) => [s.fingerprint, []]));
    const rand = (() => {
        let x = 42;
        return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    })();
    const point = (s, at, intervalMs, idx) => {
        const recent = started - at < 3_600_000;
        let mean = s.mean_ms * (0.8 + rand() * 0.4);
        if (idx === 1 && recent) mean *= 3;
        if (idx === 2 && recent) mean /= 2;
        const calls = Math.max(1, Math.round((s.calls / 40) * (0.6 + rand() * 0.8) * (intervalMs / 300_000)));
        return { at: new Date(at).toISOString(), interval_ms: intervalMs, calls, total_ms: +(calls * mean).toFixed(3), mean_ms: +mean.toFixed(3), rows: Math.round((s.rows / s.calls) * calls) };
    };
    for (let at = started - 48 * 3_600_000; at <= started; at += 300_000) {
        statements.forEach((s, i) => history.get(s.fingerprint).push(point(s, at, 300_000, i)));
    }
    const latencySamples = [];
    for (let at = started - 48 * 3_600_000; at <= started; at += 60_000) {
        latencySamples.push({ at: new Date(at).toISOString(), connect_ms: +(2 + rand() * 2).toFixed(3), p50_ms: +(0.2 + rand() * 0.1).toFixed(3), p95_ms: +(0.5 + rand() * 0.5).toFixed(3), error: null });
    }
    targets[0].status.latency = latencySamples.at(-1);

    const aggregate = (from, to, search, limit) => {
        const rows = [];
        let total = 0;
        for (const s of statements) {
            let calls = 0;
            let t = 0;
            let r = 0;
            for (const h of history.get(s.fingerprint)) {
                const at = Date.parse(h.at);
                if (at < from || at > to) continue;
                calls += h.calls;
                t += h.total_ms;
                r += h.rows;
            }
            if (calls === 0) continue;
            total += t;
            rows.push({
                fingerprint: s.fingerprint,
                query: s.query,
                calls,
                total_ms: +t.toFixed(3),
                mean_ms: +(t / calls).toFixed(3),
                rows: r,
                share: 0,
                cache_hit_pct: s.cache_hit_pct,
                shared_blks_read: Math.round(calls * 12),
                temp_blks_written: 0,
            });
        }
        for (const row of rows) row.share = total > 0 ? +(row.total_ms / total).toFixed(5) : 0;
        rows.sort((a, b) => b.total_ms - a.total_ms);
        const filtered = search ? rows.filter((x) => x.query.toLowerCase().includes(search.toLowerCase())) : rows;
        return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), total_ms: +total.toFixed(3), statements: filtered.slice(0, limit) };
    };

    const recommendations = new Map();
    const storeAdvice = () => {
        for (const r of advise.recommendations) {
            const prev = recommendations.get(r.id);
            recommendations.set(r.id, {
                id: r.id,
                kind: 'index',
                title: `Index on ${r.table} (${r.columns.join(', ')})`,
                sql: r.ddl,
                rollback_sql: r.rollback,
                evidence: r,
                validation: prev?.validation ?? null,
                updated_at: new Date().toISOString(),
            });
        }
    };
    storeAdvice();

    const audit = [];
    let nextAuditId = 1;
    const appendAudit = (actor, action, sql, detail, related_id = null, duration_ms = 500) => {
        const e = { id: nextAuditId++, at: new Date().toISOString(), actor, target: targets[0].dsn_display, action, sql, outcome: 'ok', error: null, duration_ms, related_id, detail };
        audit.push(e);
        return e;
    };

    // HTTP plumbing.
    const send = (res, status, body, headers = {}) => {
        const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, {
            'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
            'Cache-Control': 'no-store',
            ...headers,
        });
        res.end(status === 204 ? undefined : text);
    };
    const fail = (res, status, code, message, extra = {}, headers = {}) => send(res, status, { error: { code, message }, ...extra }, headers);
    const cookies = (req) =>
        Object.fromEntries(
            (req.headers.cookie ?? '')
                .split(';')
                .map((p) => p.trim().split('='))
                .filter((p) => p.length === 2),
        );
    const principal = (req) => sessions.get(cookies(req).optischema_session) ?? null;
    const body = (req) =>
        new Promise((resolve) => {
            let data = '';
            req.on('data', (c) => (data += c));
            req.on('end', () => {
                try {
                    resolve(data ? JSON.parse(data) : {});
                } catch {
                    resolve(null);
                }
            });
        });
    const rank = { viewer: 1, operator: 2, admin: 3 };
    const range = (url, defMs = 3_600_000) => {
        const p = (v) => (v === null ? null : /^\d+$/.test(v) ? Number(v) : Date.parse(v));
        const to = p(url.searchParams.get('to')) ?? Date.now();
        const from = p(url.searchParams.get('from')) ?? to - defMs;
        return { from, to };
    };
    const targetOf = (id) => targets.find((t) => String(t.id) === String(id));
    const checksFor = (dsn) => {
        const bad = /fail|nostat/.test(dsn);
        return [
            { name: 'connect', status: 'pass', message: 'Connected as postgres (PostgreSQL 15.18).', fix: '' },
            bad
                ? { name: 'pg_stat_statements loaded', status: 'fail', message: 'pg_stat_statements is not in shared_preload_libraries.', fix: "shared_preload_libraries = 'pg_stat_statements'   # postgresql.conf, then restart" }
                : { name: 'pg_stat_statements loaded', status: 'pass', message: 'pg_stat_statements is loaded.', fix: '' },
            { name: 'pg_read_all_stats', status: 'pass', message: 'The role can read every statement.', fix: '' },
            { name: 'hypopg', status: 'warn', message: 'hypopg is not installed in this database: advise will be slower and less precise.', fix: 'CREATE EXTENSION hypopg;' },
        ];
    };

    const routes = [];
    const route = (method, pattern, handler, { role = 'viewer', public: isPublic = false } = {}) => routes.push({ method, pattern, handler, role, isPublic });

    route('POST', /^\/api\/v1\/auth\/login$/, async (req, res) => {
        if (Date.now() < loginFailures.until) {
            return fail(res, 429, 'too_many_logins', 'Too many failed logins: wait before trying again.', {}, { 'Retry-After': String(Math.ceil((loginFailures.until - Date.now()) / 1000)) });
        }
        const b = await body(req);
        const u = users.find((x) => x.username === b?.username && x.password === b?.password);
        if (!u) {
            loginFailures.count += 1;
            if (loginFailures.count >= 5) {
                loginFailures.until = Date.now() + 30_000;
                loginFailures.count = 0;
            }
            return fail(res, 401, 'bad_credentials', 'Wrong user name or password.');
        }
        loginFailures.count = 0;
        const token = randomBytes(16).toString('hex');
        const csrf = randomBytes(16).toString('hex');
        sessions.set(token, { username: u.username, role: u.role, csrf });
        send(res, 200, { user: { username: u.username, role: u.role }, csrf_token: csrf }, {
            'Set-Cookie': [`optischema_session=${token}; Path=/; HttpOnly; SameSite=Strict`, `optischema_csrf=${csrf}; Path=/; SameSite=Strict`],
        });
    }, { public: true });
    route('POST', /^\/api\/v1\/auth\/logout$/, (req, res) => {
        sessions.delete(cookies(req).optischema_session);
        send(res, 204, undefined, { 'Set-Cookie': ['optischema_session=; Path=/; Max-Age=0', 'optischema_csrf=; Path=/; Max-Age=0'] });
    });
    route('GET', /^\/api\/v1\/auth\/me$/, (req, res, _m, who) => send(res, 200, { user: { username: who.username, role: who.role }, auth_enabled: true }));

    route('GET', /^\/api\/v1\/targets$/, (req, res) => send(res, 200, { targets }));
    route('POST', /^\/api\/v1\/targets\/test$/, async (req, res) => {
        const b = await body(req);
        if (!b?.dsn) return fail(res, 400, 'bad_request', 'dsn is required.');
        const checks = checksFor(b.dsn);
        send(res, 200, { ok: !checks.some((c) => c.status === 'fail'), server_version: '15.18', checks });
    });
    route('POST', /^\/api\/v1\/targets$/, async (req, res) => {
        const b = await body(req);
        if (!b?.name || !b?.dsn) return fail(res, 400, 'bad_request', 'name and dsn are required.');
        const checks = checksFor(b.dsn);
        if (checks.some((c) => c.status === 'fail')) return fail(res, 422, 'target_checks_failed', 'The database fails a prerequisite check.', { checks });
        const t = { id: nextTargetId++, name: b.name, dsn_display: 'user@db.example:5432/app', interval_s: b.interval_s ?? 60, production: !!b.production, source: 'api', status: { state: 'starting', error: null, last_snapshot_at: null, down_since: null, snapshots: 0, latency: null } };
        targets.push(t);
        send(res, 201, t);
    }, { role: 'admin' });
    route('PUT', /^\/api\/v1\/targets\/([^/]+)$/, async (req, res, m) => {
        const t = targetOf(m[1]);
        if (!t) return fail(res, 404, 'not_found', 'No such target.');
        const b = await body(req);
        Object.assign(t, { name: b.name ?? t.name, interval_s: b.interval_s ?? t.interval_s, production: b.production ?? t.production });
        send(res, 200, t);
    }, { role: 'admin' });
    route('DELETE', /^\/api\/v1\/targets\/([^/]+)$/, (req, res, m) => {
        const i = targets.findIndex((t) => String(t.id) === m[1]);
        if (i < 0) return fail(res, 404, 'not_found', 'No such target.');
        if (targets[i].source === 'config') return fail(res, 409, 'conflict', 'This target comes from the configuration file: remove it there.');
        targets.splice(i, 1);
        send(res, 204);
    }, { role: 'admin' });
    route('POST', /^\/api\/v1\/targets\/([^/]+)\/collect$/, (req, res, m) => {
        if (!targetOf(m[1])) return fail(res, 404, 'not_found', 'No such target.');
        setTimeout(snapshot, 200);
        send(res, 202, {});
    });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/latency$/, (req, res, m, _w, url) => {
        if (!targetOf(m[1])) return fail(res, 404, 'not_found', 'No such target.');
        const { from, to } = range(url);
        send(res, 200, { samples: String(m[1]) === '1' ? latencySamples.filter((s) => Date.parse(s.at) >= from && Date.parse(s.at) <= to) : [] });
    });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/statements$/, (req, res, m, _w, url) => {
        if (!targetOf(m[1])) return fail(res, 404, 'not_found', 'No such target.');
        const { from, to } = range(url);
        if (String(m[1]) !== '1') return send(res, 200, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), total_ms: 0, statements: [] });
        send(res, 200, aggregate(from, to, url.searchParams.get('search') ?? '', Number(url.searchParams.get('limit') ?? 50)));
    });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/statements\/([^/]+)$/, (req, res, m, _w, url) => {
        const s = statements.find((x) => x.fingerprint === decodeURIComponent(m[2]));
        if (!targetOf(m[1]) || !s) return fail(res, 404, 'not_found', 'No such statement in this range.');
        const { from, to } = range(url);
        const agg = aggregate(from, to, '', 1000).statements.find((x) => x.fingerprint === s.fingerprint) ?? null;
        send(res, 200, { fingerprint: s.fingerprint, query: s.query, totals: agg, history: history.get(s.fingerprint).filter((h) => Date.parse(h.at) >= from && Date.parse(h.at) <= to) });
    });
    route('POST', /^\/api\/v1\/targets\/([^/]+)\/statements\/([^/]+)\/explain$/, async (req, res, m) => {
        const s = statements.find((x) => x.fingerprint === decodeURIComponent(m[2]));
        if (!s) return fail(res, 404, 'not_found', 'No such statement.');
        const b = await body(req);
        const doc = b?.analyze ? (s.fingerprint === '5170ee7e5062f82e' ? explainAnalyze : explainJoin) : explainPlain;
        setTimeout(() => send(res, 200, doc), b?.analyze ? 300 : 50);
    });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/overview$/, (req, res, m) => {
        const t = targetOf(m[1]);
        if (!t) return fail(res, 404, 'not_found', 'No such target.');
        const now = Date.now();
        const agg = String(t.id) === '1' ? aggregate(now - 3_600_000, now, '', 5) : { total_ms: 0, statements: [] };
        const fkFindings = check.findings.filter((f) => f.check === 'unindexed_foreign_key');
        send(res, 200, {
            target: t,
            checks: [
                { name: 'pg_stat_statements', status: 'pass', message: 'Loaded and readable: every statement is tracked.', fix: '' },
                { name: 'Cache hit rate', status: 'pass', message: 'Tables 99.1% and indexes 99.8% of reads come from shared buffers.', fix: '' },
                { name: 'Foreign keys without index', status: 'warn', message: `${fkFindings.length} foreign keys have no supporting index: deletes on the parent scan the child table.`, fix: fkFindings.map((f) => f.fix_sql).join('\n') },
                { name: 'Invalid indexes', status: 'pass', message: 'No INVALID index left by a failed concurrent build.', fix: '' },
                { name: 'Long-running queries', status: 'warn', message: 'One statement has been running for 12 minutes (pid 4242).', fix: 'SELECT pg_cancel_backend(4242);' },
            ],
            top: agg.statements,
            total_ms_last_hour: agg.total_ms,
            last_snapshot_at: t.status.last_snapshot_at,
        });
    });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/index-health$/, (req, res, m) => (targetOf(m[1]) ? send(res, 200, check) : fail(res, 404, 'not_found', 'No such target.')));
    route('POST', /^\/api\/v1\/targets\/([^/]+)\/advise$/, (req, res) => {
        storeAdvice();
        setTimeout(() => send(res, 200, advise), 400);
    }, { role: 'operator' });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/recommendations$/, (req, res, m) => send(res, 200, { recommendations: String(m[1]) === '1' ? [...recommendations.values()] : [] }));
    route('GET', /^\/api\/v1\/recommendations\/([^/]+)$/, (req, res, m) => {
        const r = recommendations.get(decodeURIComponent(m[1]));
        return r ? send(res, 200, r) : fail(res, 404, 'not_found', 'No such recommendation: run advise first.');
    });
    route('POST', /^\/api\/v1\/recommendations\/([^/]+)\/validate$/, (req, res, m, who) => {
        const r = recommendations.get(decodeURIComponent(m[1]));
        if (!r) return fail(res, 404, 'not_found', 'No such recommendation.');
        const e = appendAudit(`web:${who.username}`, 'validate', r.sql, { recommendation: r.id, sandbox: 'managed', verdict: 'improved', speedup: validateFx.speedup }, null, 3300);
        const v = { ...validateFx, recommendation: r.id, ddl: r.sql, audit_id: e.id };
        r.validation = v;
        setTimeout(() => send(res, 200, v), 800);
    }, { role: 'operator' });
    route('POST', /^\/api\/v1\/recommendations\/([^/]+)\/apply$/, (req, res, m, who) => {
        const r = recommendations.get(decodeURIComponent(m[1]));
        if (!r) return fail(res, 404, 'not_found', 'No such recommendation.');
        const name = /INDEX CONCURRENTLY (\S+)/.exec(r.sql)?.[1] ?? 'idx';
        const e = appendAudit(`web:${who.username}`, 'apply', r.sql.replace(/;$/, ''), { recommendation: r.id, index: name, rollback_sql: r.rollback_sql });
        setTimeout(() => send(res, 200, { action_id: e.id, message: `Applied ${name} in 0.6 s.` }), 500);
    }, { role: 'operator' });
    route('POST', /^\/api\/v1\/audit\/([^/]+)\/rollback$/, (req, res, m, who) => {
        const apply = audit.find((e) => String(e.id) === m[1] && e.action === 'apply');
        if (!apply) return fail(res, 404, 'not_found', `Action ${m[1]} is not an apply.`);
        if (audit.some((e) => e.action === 'rollback' && e.related_id === apply.id)) return fail(res, 409, 'conflict', `Action ${m[1]} was already rolled back.`);
        const e = appendAudit(`web:${who.username}`, 'rollback', apply.detail.rollback_sql ?? 'DROP INDEX', { recommendation: apply.detail.recommendation, index: apply.detail.index }, apply.id, 40);
        setTimeout(() => send(res, 200, { action_id: e.id, message: `Rolled back action ${apply.id}.` }), 300);
    }, { role: 'operator' });
    route('GET', /^\/api\/v1\/audit\/([^/]+)\/impact$/, (req, res, m) => {
        const apply = audit.find((e) => String(e.id) === m[1] && e.action === 'apply');
        if (!apply) return fail(res, 404, 'not_found', `Action ${m[1]} recorded no baseline.`);
        send(res, 200, { ...impactFx, action: apply.id, index: apply.detail.index });
    });
    route('GET', /^\/api\/v1\/audit$/, (req, res, _m, _w, url) => {
        const limit = Number(url.searchParams.get('limit') ?? 100);
        const events = [...audit].reverse().slice(0, limit);
        if (url.searchParams.get('format') === 'csv') {
            const q = (v) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
            const lines = ['id,at,actor,target,action,outcome,duration_ms,related_id,sql,error,detail', ...events.map((e) => [e.id, e.at, e.actor, e.target, e.action, e.outcome, e.duration_ms, e.related_id, e.sql, e.error, JSON.stringify(e.detail)].map(q).join(','))];
            return send(res, 200, `${lines.join('\n')}\n`, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="audit.csv"' });
        }
        send(res, 200, { events });
    });
    route('GET', /^\/api\/v1\/targets\/([^/]+)\/export\/(statements\.csv|statements\.json|recommendations\.sql)$/, (req, res, m, _w, url) => {
        const { from, to } = range(url);
        if (m[2] === 'recommendations.sql') {
            const sql = [...recommendations.values()].map((r) => `-- ${r.title}\n-- rollback: ${r.rollback_sql}\n${r.sql}\n`).join('\n');
            return send(res, 200, sql, { 'Content-Type': 'application/sql; charset=utf-8' });
        }
        const agg = aggregate(from, to, '', 1000);
        if (m[2] === 'statements.json') return send(res, 200, agg);
        const lines = ['fingerprint,query,calls,total_ms,mean_ms,rows,share', ...agg.statements.map((s) => [s.fingerprint, `"${s.query.replace(/"/g, '""')}"`, s.calls, s.total_ms, s.mean_ms, s.rows, s.share].join(','))];
        send(res, 200, `${lines.join('\n')}\n`, { 'Content-Type': 'text/csv; charset=utf-8' });
    });
    route('GET', /^\/api\/v1\/users$/, (req, res) => send(res, 200, { users: users.map(({ password: _p, ...u }) => u) }), { role: 'admin' });
    route('POST', /^\/api\/v1\/users$/, async (req, res) => {
        const b = await body(req);
        if (!b?.username || !b?.password || !rank[b.role]) return fail(res, 400, 'bad_request', 'username, password and a role (viewer, operator, admin) are required.');
        if (users.some((u) => u.username === b.username)) return fail(res, 409, 'conflict', `User ${b.username} already exists.`);
        const u = { id: nextUserId++, username: b.username, password: b.password, role: b.role, created_at: new Date().toISOString() };
        users.push(u);
        const { password: _p, ...out } = u;
        send(res, 201, out);
    }, { role: 'admin' });
    route('DELETE', /^\/api\/v1\/users\/([^/]+)$/, (req, res, m) => {
        const i = users.findIndex((u) => String(u.id) === m[1]);
        if (i < 0) return fail(res, 404, 'not_found', 'No such user.');
        users.splice(i, 1);
        send(res, 204);
    }, { role: 'admin' });
    route('PUT', /^\/api\/v1\/users\/([^/]+)$/, async (req, res, m) => {
        const u = users.find((x) => String(x.id) === m[1]);
        if (!u) return fail(res, 404, 'not_found', `no user ${m[1]}`);
        const b = (await body(req)) ?? {};
        if (b.role && !rank[b.role]) return fail(res, 400, 'bad_request', 'the role is viewer, operator or admin');
        if (b.password && b.password.length < 8) return fail(res, 400, 'bad_request', 'a password needs at least 8 characters');
        if (b.role) {
            u.role = b.role;
            for (const sess of sessions.values()) if (sess.username === u.username) sess.role = b.role;
        }
        if (b.password) u.password = b.password;
        send(res, 200, { id: u.id, username: u.username, role: u.role });
    }, { role: 'admin' });

    // The AI assistant: settings as the real server keeps them, and answers from whatever
    // OpenAI-compatible server is configured (e2e/fake-llm.mjs in the browser tests).
    const LLM_NONE = { source: 'none', provider: null, base_url: '', model: '', api_key: '', timeout_s: 120, input_usd_per_mtok: null, output_usd_per_mtok: null };
    let llm = { ...LLM_NONE };
    const llmCache = new Map();
    const llmStats = { hits: 0, misses: 0, tokens_saved: 0, cost_saved_usd: 0 };
    const llmView = () => ({
        configured: llm.model !== '',
        source: llm.source,
        provider: llm.provider,
        base_url: llm.base_url,
        model: llm.model,
        has_key: llm.api_key !== '',
        timeout_s: llm.timeout_s,
        input_usd_per_mtok: llm.input_usd_per_mtok,
        output_usd_per_mtok: llm.output_usd_per_mtok,
        problem: null,
        cache: { entries: llmCache.size, hits: llmStats.hits, misses: llmStats.misses, hit_rate: llmStats.hits + llmStats.misses ? llmStats.hits / (llmStats.hits + llmStats.misses) : 0, tokens_saved: llmStats.tokens_saved, cost_saved_usd: llmStats.cost_saved_usd },
    });
    const llmInput = (b) => {
        if (!b || !['openai', 'gemini'].includes(b.provider)) return { error: 'provider is openai or gemini' };
        if (!b.model) return { error: 'no LLM model is configured: set llm model (e.g. gpt-4o-mini)' };
        if (b.base_url && !/^https?:\/\//i.test(b.base_url)) return { error: `the LLM base URL '${b.base_url}' is not an http:// or https:// URL` };
        const prices = [b.input_usd_per_mtok ?? null, b.output_usd_per_mtok ?? null];
        if ((prices[0] === null) !== (prices[1] === null)) return { error: 'give both prices or neither' };
        return { value: { provider: b.provider, base_url: String(b.base_url ?? '').replace(/\/+$/, ''), model: b.model, timeout_s: Number(b.timeout_s ?? 120) || 120, api_key: typeof b.api_key === 'string' ? b.api_key : llm.api_key, input_usd_per_mtok: prices[0], output_usd_per_mtok: prices[1] } };
    };
    const complete = async (cfg, user) => {
        const started = performance.now();
        const base = cfg.base_url || (cfg.provider === 'gemini' ? 'https://generativelanguage.googleapis.com' : 'https://api.openai.com/v1');
        const r = await fetch(`${base}/chat/completions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(cfg.api_key ? { Authorization: `Bearer ${cfg.api_key}` } : {}) },
            body: JSON.stringify({ model: cfg.model, messages: [{ role: 'system', content: 'You are a PostgreSQL performance expert.' }, { role: 'user', content: user }] }),
            signal: AbortSignal.timeout(cfg.timeout_s * 1000),
        });
        if (!r.ok) throw new Error(`the provider answered ${r.status}`);
        const doc = await r.json();
        return { doc, latency_ms: +(performance.now() - started).toFixed(3) };
    };
    route('GET', /^\/api\/v1\/settings\/llm$/, (req, res) => send(res, 200, llmView()));
    route('PUT', /^\/api\/v1\/settings\/llm$/, async (req, res) => {
        const input = llmInput(await body(req));
        if (input.error) return fail(res, 400, 'bad_request', input.error);
        llm = { ...input.value, source: 'dashboard' };
        send(res, 200, llmView());
    }, { role: 'admin' });
    route('DELETE', /^\/api\/v1\/settings\/llm$/, (req, res) => {
        llm = { ...LLM_NONE };
        send(res, 200, llmView());
    }, { role: 'admin' });
    route('POST', /^\/api\/v1\/settings\/llm\/test$/, async (req, res) => {
        const b = await body(req);
        const input = b && Object.keys(b).length ? llmInput(b) : { value: llm };
        if (input.error) return fail(res, 400, 'bad_request', input.error);
        try {
            const { doc, latency_ms } = await complete(input.value, 'Answer with the single word OK.');
            send(res, 200, { ok: true, provider: input.value.provider, model: doc.model ?? input.value.model, latency_ms, error: null });
        } catch (e) {
            send(res, 200, { ok: false, provider: input.value.provider, model: input.value.model, latency_ms: null, error: `cannot reach the model: ${e.message}` });
        }
    }, { role: 'admin' });
    const askAi = async (res, key, query, refresh) => {
        if (!llm.model) return fail(res, 409, 'llm_not_configured', 'No AI provider is configured: an admin can set one up in Settings.');
        const cacheKey = `${key}|${llm.provider}|${llm.base_url}|${llm.model}`;
        const cached = llmCache.get(cacheKey);
        if (cached && !refresh) {
            llmStats.hits += 1;
            llmStats.tokens_saved += cached.input_tokens + cached.output_tokens;
            llmStats.cost_saved_usd += cached.cost_usd ?? 0;
            return setTimeout(() => send(res, 200, { ...cached, from_cache: true }), 200);
        }
        llmStats.misses += 1;
        const answer = { provider: llm.provider, model: llm.model, configured_model: llm.model, from_cache: false, input_tokens: 0, output_tokens: 0, cost_usd: null, latency_ms: null, explanation: '', rewrites: [], index_ideas: [], risks: [], warnings: [], error: null };
        try {
            const { doc, latency_ms } = await complete(llm, `## Normalized query\n${query}\n## Plan\nSeq Scan on orders\n`);
            const content = JSON.parse(doc.choices?.[0]?.message?.content ?? '{}');
            const model = doc.model ?? llm.model;
            const input_tokens = doc.usage?.prompt_tokens ?? 0;
            const output_tokens = doc.usage?.completion_tokens ?? 0;
            Object.assign(answer, {
                model,
                input_tokens,
                output_tokens,
                cost_usd: llm.input_usd_per_mtok === null ? null : (input_tokens * llm.input_usd_per_mtok + output_tokens * llm.output_usd_per_mtok) / 1e6,
                latency_ms,
                explanation: content.explanation ?? '',
                rewrites: (content.rewrites ?? []).map((r, i) => ({ sql: r.sql, rationale: r.rationale ?? '', status: i === 0 ? 'verified' : 'unverified', reason: i === 0 ? 'the sandbox returned the same rows, faster: median 46.1 ms -> 19.2 ms' : 'not checked', speedup: i === 0 ? 2.4 : null, planned_cost: null, model })),
                index_ideas: (content.index_ideas ?? []).map((x) => ({ ddl: x.ddl, rationale: x.rationale ?? '', status: 'verified', reason: 'the planner uses it (HypoPG what-if): cost 14,549 -> 28 (100% less)', cost_before: 14549.33, cost_after: 27.78, model })),
                risks: content.risks ?? [],
            });
            llmCache.set(cacheKey, answer);
        } catch (e) {
            answer.error = `the model did not answer: ${e.message}`;
        }
        setTimeout(() => send(res, 200, answer), 1500);
    };
    route('POST', /^\/api\/v1\/targets\/([^/]+)\/statements\/([^/]+)\/ai$/, async (req, res, m) => {
        const s = statements.find((x) => x.fingerprint === decodeURIComponent(m[2]));
        if (!targetOf(m[1]) || !s) return fail(res, 404, 'not_found', 'No such statement.');
        const b = await body(req);
        return askAi(res, `statement:${s.fingerprint}`, s.query, b?.refresh === true);
    }, { role: 'operator' });
    route('POST', /^\/api\/v1\/recommendations\/([^/]+)\/ai$/, async (req, res, m) => {
        const r = recommendations.get(decodeURIComponent(m[1]));
        if (!r) return fail(res, 404, 'not_found', 'No such recommendation.');
        const b = await body(req);
        return askAi(res, `recommendation:${r.id}`, r.evidence?.queries?.[0]?.query ?? r.sql, b?.refresh === true);
    }, { role: 'operator' });
    route('GET', /^\/healthz$/, (req, res) => send(res, 200, { status: 'ok' }), { public: true });

    const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
    const serveStatic = (req, res, pathname) => {
        let file = normalize(join(dist, decodeURIComponent(pathname)));
        if (!file.startsWith(dist)) return fail(res, 404, 'not_found', 'No such file.');
        if (!existsSync(file) || statSync(file).isDirectory()) {
            if (pathname.startsWith('/assets/')) return fail(res, 404, 'not_found', 'No such file.');
            file = join(dist, 'index.html');
        }
        if (!existsSync(file)) return send(res, 503, 'web/dist is missing: run npm run build');
        res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' });
        res.end(readFileSync(file));
    };

    const server = createServer(async (req, res) => {
        res.setHeader('Content-Security-Policy', CSP);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('X-Frame-Options', 'DENY');
        res.setHeader('Referrer-Policy', 'no-referrer');
        const url = new URL(req.url, 'http://localhost');
        if (!quiet) console.log(req.method, url.pathname);
        try {
            if (url.pathname.startsWith('/api/') || url.pathname === '/healthz') {
                const matches = routes.filter((r) => r.pattern.test(url.pathname));
                const r = matches.find((x) => x.method === req.method);
                if (!r) return matches.length ? fail(res, 405, 'method_not_allowed', 'Method not allowed.') : fail(res, 404, 'not_found', 'No such API route.');
                const who = principal(req);
                if (!r.isPublic) {
                    if (!who) return fail(res, 401, 'unauthorized', 'Log in first.');
                    if (['POST', 'PUT', 'DELETE'].includes(req.method) && req.headers['x-csrf-token'] !== who.csrf) {
                        return fail(res, 403, 'csrf', 'Missing or wrong X-CSRF-Token header: reload the page.');
                    }
                    if (rank[who.role] < rank[r.role]) return fail(res, 403, 'forbidden', `This needs the ${r.role} role.`);
                }
                return await r.handler(req, res, r.pattern.exec(url.pathname), who, url);
            }
            if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method_not_allowed', 'Method not allowed.');
            serveStatic(req, res, url.pathname);
        } catch (e) {
            fail(res, 500, 'internal', String(e));
        }
    });

    const wss = new WebSocketServer({ noServer: true });
    const clients = new Set();
    server.on('upgrade', (req, socket, head) => {
        const url = new URL(req.url, 'http://localhost');
        if (url.pathname !== '/api/v1/stream' || !principal(req)) {
            socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
            socket.destroy();
            return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
            const client = { ws, topics: null };
            clients.add(client);
            ws.on('message', (data) => {
                try {
                    const m = JSON.parse(String(data));
                    if (Array.isArray(m.subscribe)) {
                        client.topics = m.subscribe.includes('*') ? null : m.subscribe;
                        ws.send(JSON.stringify({ type: 'subscribed', topics: m.subscribe }));
                    }
                } catch {
                    ws.send(JSON.stringify({ type: 'error', message: 'not JSON' }));
                }
            });
            ws.on('close', () => clients.delete(client));
        });
    });
    const broadcast = (topic, data) => {
        const text = JSON.stringify({ type: 'event', topic, data });
        for (const c of clients) if (!c.topics || c.topics.includes(topic)) c.ws.send(text);
    };
    let snapshotId = 1000;
    function snapshot() {
        const now = Date.now();
        statements.forEach((s, i) => history.get(s.fingerprint).push(point(s, now, 10_000, i)));
        latencySamples.push({ at: new Date(now).toISOString(), connect_ms: +(2 + rand() * 2).toFixed(3), p50_ms: +(0.2 + rand() * 0.1).toFixed(3), p95_ms: +(0.5 + rand() * 0.5).toFixed(3), error: null });
        const t = targets[0];
        t.status = { ...t.status, state: 'up', last_snapshot_at: new Date(now).toISOString(), snapshots: (t.status.snapshots ?? 0) + 1, latency: latencySamples.at(-1) };
        const agg = aggregate(now - 10_000, now, '', 10);
        broadcast('target:1', { kind: 'snapshot', target_id: 1, snapshot_id: ++snapshotId, taken_at: t.status.last_snapshot_at, total_ms: agg.total_ms, statements: agg.statements });
        broadcast('target:1', { kind: 'status', target_id: 1, status: t.status });
    }
    const timer = setInterval(snapshot, SNAPSHOT_EVERY_MS);

    return new Promise((resolve) => {
        server.listen(port, '127.0.0.1', () => {
            const { port: actual } = server.address();
            resolve({
                url: `http://127.0.0.1:${actual}`,
                close: () =>
                    new Promise((done) => {
                        clearInterval(timer);
                        for (const c of clients) c.ws.terminate();
                        wss.close();
                        server.closeAllConnections?.();
                        server.close(() => done());
                    }),
            });
        });
    });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
    const i = process.argv.indexOf('--port');
    const port = i > 0 ? Number(process.argv[i + 1]) : 8090;
    const adminPassword = process.env.OPTISCHEMA_ADMIN_PASSWORD ?? 'admin-password';
    startMockServer({ port, adminPassword, quiet: !process.argv.includes('--verbose') }).then(({ url }) => {
        console.log(`mock OptiSchema server at ${url} (admin / ${adminPassword})`);
    });
}
