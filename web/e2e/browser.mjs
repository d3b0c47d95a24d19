// Browser plumbing for the e2e tests: Debian's chromium through playwright-core, axe-core checks,
// console-error collection and screenshots under web/test-results/.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const resultsDir = fileURLToPath(new URL('../test-results/', import.meta.url));
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

/// A fresh persistent context (its own --user-data-dir) on the system chromium.
export async function launch({ width = 1280, height = 900 } = {}) {
    mkdirSync(resultsDir, { recursive: true });
    const userDataDir = mkdtempSync(join(tmpdir(), 'optischema-e2e-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width, height },
        acceptDownloads: true,
        locale: 'en-US',
        timezoneId: 'UTC',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    const collect = (p) => {
        p.on('console', (msg) => {
            if (msg.type() !== 'error') return;
            const where = msg.location()?.url ?? '';
            // The browser logs every non-2xx response; an expected 401/429 of the login form is not a page error.
            if (/Failed to load resource/.test(msg.text()) && /\/api\/v1\/auth\//.test(where)) return;
            errors.push(`${msg.text()} (${where})`);
        });
        p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    };
    collect(page);
    context.on('page', collect);
    return {
        context,
        page,
        errors,
        async close() {
            await context.close();
            rmSync(userDataDir, { recursive: true, force: true });
        },
    };
}

/// Runs axe-core (WCAG 2.1 A and AA) on the page; returns the violations as readable lines.
export async function axeViolations(page) {
    const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!loaded) await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
            rules: { region: { enabled: true } },
        });
        return r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`),
        }));
    });
    return result.map((v) => `[${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

export async function screenshot(page, name) {
    await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}
