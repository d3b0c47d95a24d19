// Issue 7's browser targets, measured in Debian's chromium against a running OptiSchema (bench/web/run.sh
// starts `optischema demo` for it): first meaningful paint under 1 s on loopback, a live update visible
// within 1 s of collection.
//
//   OPTISCHEMA_URL=http://127.0.0.1:PORT OPTISCHEMA_ADMIN_PASSWORD=... node bench/web/paint.mjs [LOADS] [LIVE_SECONDS]
//
// Loads: the overview opened LOADS times in one logged-in browser (the first with an empty cache). For
// each: first contentful paint (the browser's own entry) and the first frame that shows ranked queries
// (a row in "Top queries by total time"), both from the start of navigation.
// Live: for LIVE_SECONDS the overview stays open; for each snapshot pushed on the WebSocket, the frame
// after the "Latest collection" card shows it, measured from the message's arrival and from the
// snapshot's taken_at (which includes reading pg_stat_statements, ranking and storing it).

import { launch } from '../../web/e2e/browser.mjs';

const base = process.env.OPTISCHEMA_URL;
const password = process.env.OPTISCHEMA_ADMIN_PASSWORD;
if (!base || !password) {
    console.error('set OPTISCHEMA_URL and OPTISCHEMA_ADMIN_PASSWORD (bench/web/run.sh does)');
    process.exit(2);
}
const loads = Number(process.argv[2] ?? 10);
const liveSeconds = Number(process.argv[3] ?? 30);

// Runs in the page before its scripts: timestamps the first frame with a ranked row, each snapshot
// message's arrival, and each frame in which the live card shows a new collection time.
function instrument() {
    window.__bench = { firstRows: null, messages: [], shown: [] };
    const rowSelector = '[data-testid="top-queries"] tbody tr';
    const liveSelector = '[data-testid="live-snapshot"] .card-header .muted';
    let lastLive = null;
    const observer = new MutationObserver(() => {
        if (window.__bench.firstRows === null && document.querySelector(rowSelector)) {
            window.__bench.firstRows = -1;
            requestAnimationFrame(() => (window.__bench.firstRows = performance.now()));
        }
        const live = document.querySelector(liveSelector)?.textContent ?? '';
        const at = live.split(' · ')[0];
        if (live.includes(' · ') && at !== lastLive) {
            lastLive = at;
            requestAnimationFrame(() => window.__bench.shown.push(Date.now()));
        }
    });
    document.addEventListener('DOMContentLoaded', () =>
        observer.observe(document.body, { childList: true, subtree: true, characterData: true }),
    );
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            // Registered before the app's own listener, so this is the arrival time.
            this.addEventListener('message', (e) => {
                try {
                    const m = JSON.parse(e.data);
                    if (m?.data?.kind === 'snapshot') {
                        window.__bench.messages.push({ at: Date.now(), taken_at: Date.parse(m.data.taken_at) });
                    }
                } catch {
                    // not JSON: not ours to measure
                }
            });
        }
    };
}

function summary(values) {
    if (values.length === 0) return 'no samples';
    const s = [...values].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return `n=${s.length} p50 ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
}

const b = await launch();
try {
    const { context, page } = b;
    await context.addInitScript(instrument);
    const login = await context.request.post(`${base}/api/v1/auth/login`, { data: { username: 'admin', password } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()} ${await login.text()}`);

    const fcp = [];
    const meaningful = [];
    for (let i = 0; i < loads; i++) {
        await page.goto(`${base}/`);
        await page.waitForFunction(() => window.__bench.firstRows > 0, null, { timeout: 30_000 });
        const t = await page.evaluate(() => ({
            fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
            rows: window.__bench.firstRows,
        }));
        if (t.fcp !== null) fcp.push(t.fcp);
        meaningful.push(t.rows);
        if (i === 0) console.log(`cold cache: first contentful paint ${t.fcp?.toFixed(0)} ms, ranked queries shown ${t.rows.toFixed(0)} ms`);
    }
    console.log(`overview, ${loads} loads: first contentful paint ${summary(fcp)}`);
    console.log(`overview, ${loads} loads: ranked queries shown (first meaningful paint) ${summary(meaningful)}`);

    await page.waitForTimeout(liveSeconds * 1000);
    const live = await page.evaluate(() => window.__bench);
    // Each message is matched with the first frame showing a new collection after its arrival.
    const fromArrival = [];
    const fromTaken = [];
    for (const m of live.messages) {
        const shown = live.shown.find((s) => s >= m.at);
        if (shown === undefined) continue;
        fromArrival.push(shown - m.at);
        fromTaken.push(shown - m.taken_at);
    }
    console.log(`live, ${liveSeconds} s: pushed snapshot to its frame ${summary(fromArrival)}`);
    console.log(`live, ${liveSeconds} s: snapshot taken_at to its frame ${summary(fromTaken)}`);
    if (b.errors.length) console.log(`console errors:\n  ${b.errors.join('\n  ')}`);
} finally {
    await b.close();
}
