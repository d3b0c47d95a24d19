// Browser tests of the dashboard against a running `optischema serve` (OPTISCHEMA_URL, with the
// admin password in OPTISCHEMA_ADMIN_PASSWORD), or against e2e/mock-server.mjs when E2E_MOCK=1.
// One browser, one session, steps in order, as a new user would go: log in, watch queries arrive
// live, open a plan, validate, apply and roll back a recommendation, find both in the audit log,
// export, switch theme, use a phone-width screen and the keyboard. axe-core checks every page;
// screenshots go to web/test-results/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, screenshot } from './browser.mjs';

const mock = !process.env.OPTISCHEMA_URL && process.env.E2E_MOCK === '1';
const skip = !process.env.OPTISCHEMA_URL && !mock ? 'set OPTISCHEMA_URL and OPTISCHEMA_ADMIN_PASSWORD (or E2E_MOCK=1)' : false;
const LIVE_TIMEOUT = Number(process.env.E2E_LIVE_TIMEOUT_MS ?? 90_000);
const SLOW_TIMEOUT = Number(process.env.E2E_SLOW_TIMEOUT_MS ?? 300_000);

describe('dashboard', { skip }, () => {
    let base;
    let password;
    let server;
    let b;
    let page;

    before(async () => {
        if (mock) {
            const { startMockServer } = await import('./mock-server.mjs');
            password = 'e2e-password';
            server = await startMockServer({ adminPassword: password });
            base = server.url;
        } else {
            base = process.env.OPTISCHEMA_URL.replace(/\/$/, '');
            password = process.env.OPTISCHEMA_ADMIN_PASSWORD ?? '';
        }
        b = await launch();
        page = b.page;
        page.setDefaultTimeout(20_000);
    });

    after(async () => {
        await b?.close();
        await server?.close();
    });

    async function check(name) {
        await page.waitForLoadState('networkidle').catch(() => {});
        await screenshot(page, name);
        const violations = await axeViolations(page);
        assert.deepEqual(violations, [], `axe on ${name}:\n${violations.join('\n')}`);
        const text = await page.locator('body').innerText();
        assert.doesNotMatch(text, /\bNaN\b|\bundefined\b|\[object Object\]/, `${name} shows a broken value`);
    }

    async function go(path, heading) {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    }

    test('the login page is accessible and refuses a wrong password', async () => {
        await page.goto(`${base}/`);
        await page.getByRole('heading', { name: 'Log in to OptiSchema' }).waitFor();
        assert.match(page.url(), /\/login/);
        await check('01-login');
        await page.getByLabel('User name').fill('admin');
        await page.getByLabel('Password').fill('definitely-wrong');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByRole('alert').filter({ hasText: /Wrong user name or password|Too many/ }).waitFor();
    });

    test('logs in and shows the overview: health checks, ranked queries, latency', async () => {
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByRole('heading', { name: 'Top queries by total time' }).waitFor();
        await page.getByTestId('current-user').waitFor();
        await page.getByTestId('health-check').first().waitFor();
        const checks = await page.getByTestId('health-check').count();
        assert.ok(checks > 0, 'no health check cards');
        await page.getByTestId('top-queries').locator('tbody tr').first().waitFor();
        await check('02-overview');
    });

    test('ranked queries appear live over the WebSocket', async () => {
        await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
        const rows = page.getByTestId('live-statements').locator('tbody tr a');
        await rows.first().waitFor({ timeout: LIVE_TIMEOUT });
        const before = await page.getByTestId('live-snapshot').locator('.card-header .muted').innerText();
        assert.match(before, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
        await screenshot(page, '03-overview-live');
    });

    test('queries: sortable, searchable, exported as CSV', async () => {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queries' }).click();
        await page.getByRole('heading', { level: 1, name: 'Queries' }).waitFor();
        const table = page.getByTestId('statements-table');
        await table.locator('tbody tr a').first().waitFor();
        const callsHeader = table.getByRole('columnheader', { name: /Calls/ });
        await callsHeader.getByRole('button').click();
        assert.equal(await callsHeader.getAttribute('aria-sort'), 'descending');
        const calls = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
        const nums = calls.map((c) => Number(c.replace(/,/g, '')));
        assert.deepEqual(nums, [...nums].sort((x, y) => y - x), 'calls are not sorted descending');
        await check('04-queries');

        const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: /Export CSV/ }).click()]);
        const csv = readFileSync(await download.path(), 'utf8');
        assert.match(csv.split('\r\n')[0], /^Query,Total,Mean,Calls,Rows,Share,Cache hit,Fingerprint$/);
        assert.ok(csv.split('\r\n').length > 2, 'the CSV has no rows');

        const firstQuery = (await table.locator('tbody tr a').first().innerText()).trim();
        const word = firstQuery.split(/\s+/).find((w) => /^[a-z_]{4,}$/i.test(w) && !/^(select|from|where|order|limit|group)$/i.test(w)) ?? 'FROM';
        await page.getByLabel('Search queries').fill(word);
        await page.waitForTimeout(600);
        const shown = await table.locator('tbody tr a').allInnerTexts();
        assert.ok(shown.length > 0 && shown.every((t) => t.toLowerCase().includes(word.toLowerCase())), `search for ${word} shows other rows`);
        await page.getByLabel('Search queries').fill('');
    });

    test('a query: normalized text, plan tree with exclusive-time bars, findings, history chart', async () => {
        const table = page.getByTestId('statements-table');
        await page.waitForTimeout(500);
        await table.locator('tbody tr a').first().click();
        await page.getByRole('heading', { name: 'Normalized query' }).waitFor();
        await page.getByTestId('plan-tree').waitFor({ timeout: 60_000 });
        await page.getByRole('button', { name: 'Explain analyze' }).click();
        await page.getByText(/Executed in/).waitFor({ timeout: 120_000 });
        const bars = await page.getByTestId('plan-tree').locator('.bar > span').count();
        assert.ok(bars > 0, 'no exclusive-time bars');
        await page.getByRole('heading', { name: 'Findings' }).waitFor();
        await page.getByRole('heading', { name: 'History' }).waitFor();
        await page.locator('.chart canvas, .chart + *, [data-testid="empty-state"]').first().waitFor();
        await check('05-query-detail');
    });

    test('optimizations: validate shows before/after and the plan diff; apply and roll back', async () => {
        await go('/optimizations', 'Optimizations');
        const recs = page.getByTestId('recommendation');
        await page.locator('[data-testid="recommendation"], [data-testid="empty-state"]').first().waitFor({ timeout: 60_000 });
        if ((await recs.count()) === 0) {
            await page.getByRole('button', { name: 'Run the advisor' }).click();
            await recs.first().waitFor({ timeout: SLOW_TIMEOUT });
        }
        const rec = recs.first();
        await check('06-optimizations');
        await rec.getByRole('button', { name: /^Validate/ }).click();
        await rec.getByTestId('validation').waitFor({ timeout: SLOW_TIMEOUT });
        await rec.getByTestId('plans-side-by-side').first().waitFor();
        const diff = rec.getByTestId('plan-diff').first();
        await diff.waitFor().catch(() => {});
        await check('07-validation');

        await rec.getByRole('button', { name: 'Apply…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Apply this index?' });
        await dialog.waitFor();
        await screenshot(page, '08-apply-dialog');
        await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
        await rec.locator('.badge', { hasText: 'applied' }).waitFor({ timeout: SLOW_TIMEOUT });

        await rec.getByRole('button', { name: 'Realized savings' }).click();
        await rec.getByTestId('impact').locator('table, .state').first().waitFor({ timeout: 60_000 });
        await screenshot(page, '09-applied');

        await rec.getByRole('button', { name: 'Roll back…' }).click();
        const rb = page.getByRole('dialog', { name: 'Roll back this index?' });
        await rb.getByRole('button', { name: 'Roll back', exact: true }).click();
        await rec.locator('.badge', { hasText: 'rolled back' }).waitFor({ timeout: SLOW_TIMEOUT });
    });

    test('the audit log lists the apply and its rollback', async () => {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
        const table = page.getByTestId('audit-table');
        await table.locator('tbody tr').first().waitFor();
        const actions = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
        assert.ok(actions.some((a) => a.includes('apply')), `no apply in ${actions}`);
        assert.ok(actions.some((a) => a.includes('rollback')), `no rollback in ${actions}`);
        await check('10-audit');
    });

    test('analytics: trends, calls × mean time, regressions and improvements', async () => {
        await go('/analytics?range=1h', 'Analytics');
        await page.getByRole('heading', { name: 'Regressions' }).waitFor();
        await page.locator('.scatter svg, .scatter + p, .muted').first().waitFor();
        await page.getByTestId('regressions').waitFor({ timeout: 60_000 });
        if (mock) {
            await page.locator('.scatter svg a').first().waitFor();
            assert.ok((await page.getByTestId('regressions').locator('tbody tr a').count()) >= 1, 'the slower statement is not listed');
            assert.ok((await page.getByTestId('improvements').locator('tbody tr a').count()) >= 1, 'the faster statement is not listed');
        }
        await check('11-analytics');
    });

    test('index health lists findings with their fix', async () => {
        await go('/indexes', 'Index health');
        await page.locator('[data-testid="index-finding"], [data-testid="empty-state"]').first().waitFor({ timeout: 60_000 });
        await check('12-index-health');
    });

    test('exports: CSV of a table, the SQL script, the printable report', async () => {
        await go('/exports', 'Exports');
        const row = page.getByTestId('export-statements');
        const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /CSV/ }).click()]);
        const csv = readFileSync(await download.path(), 'utf8');
        assert.match(csv, /^fingerprint,query,calls,total_ms,mean_ms,rows,share_pct,cache_hit_pct/);
        await page.locator('[data-testid="sql-script"], [data-testid="empty-state"]').first().waitFor();
        await check('13-exports');
        await page.getByRole('link', { name: 'Open the printable report' }).click();
        await page.getByTestId('report').waitFor();
        await page.getByRole('heading', { name: 'What is slow' }).waitFor();
        await check('14-report');
        await page.emulateMedia({ media: 'print' });
        await screenshot(page, '15-report-print');
        const pdf = await page.pdf({ format: 'A4' });
        assert.ok(pdf.length > 10_000, 'the report does not print');
        await page.emulateMedia({ media: 'screen' });
    });

    test('settings: the targets wizard tests a connection and shows each check with its fix', async () => {
        await go('/settings', 'Settings');
        await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
        await page.getByTestId('ai-provider').getByText('not configured yet').waitFor();
        await page.getByRole('button', { name: 'Add a database' }).click();
        const wizard = page.getByTestId('target-wizard');
        await wizard.getByLabel('Name').fill('e2e-check');
        await wizard.getByLabel(/Connection string/).fill(mock ? 'host=db-nostat dbname=app' : 'host=/nonexistent-socket-dir dbname=nothing connect_timeout=2');
        await wizard.getByRole('button', { name: 'Test connection' }).click();
        await wizard.locator('[data-testid="connection-checks"], .inline-error').first().waitFor({ timeout: 60_000 });
        if (mock) {
            await wizard.getByText('pg_stat_statements is not in shared_preload_libraries.').waitFor();
            assert.equal(await wizard.getByRole('button', { name: 'Save' }).isDisabled(), true);
        }
        await check('16-settings');
    });

    test('adds a second database, switches to it with the selector, and removes it', { skip: !mock && !process.env.OPTISCHEMA_E2E_TARGET_DSN ? 'set OPTISCHEMA_E2E_TARGET_DSN to a database that passes the checks' : false }, async () => {
        const wizard = page.getByTestId('target-wizard');
        await wizard.getByLabel('Name').fill('e2e-second');
        await wizard.getByLabel(/Connection string/).fill(process.env.OPTISCHEMA_E2E_TARGET_DSN ?? 'host=db2 dbname=app');
        await wizard.getByRole('button', { name: 'Test connection' }).click();
        await wizard.getByText('Ready to watch.').waitFor({ timeout: 60_000 });
        await wizard.getByRole('button', { name: 'Save' }).click();
        const selector = page.getByTestId('target-select');
        await selector.locator('option', { hasText: 'e2e-second' }).waitFor({ state: 'attached' });
        assert.equal(await selector.locator('option:checked').innerText(), 'e2e-second');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
        await page.getByRole('heading', { level: 1, name: /e2e-second/ }).waitFor();
        await screenshot(page, '16b-second-target');
        const other = (await selector.locator('option').allInnerTexts()).find((t) => !t.includes('e2e-second'));
        await selector.selectOption({ label: other.trim() });
        await page.getByRole('heading', { level: 1, name: /e2e-second/ }).waitFor({ state: 'detached' });
        await go('/settings', 'Settings');
        await page.getByRole('button', { name: 'Remove e2e-second' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
        await page.getByRole('button', { name: 'Remove e2e-second' }).waitFor({ state: 'detached' });
    });

    test('the theme toggle switches themes and is remembered', async () => {
        const html = page.locator('html');
        const first = await html.getAttribute('data-theme');
        await page.getByTestId('theme-toggle').click();
        const second = await html.getAttribute('data-theme');
        assert.notEqual(first, second);
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
        assert.equal(await html.getAttribute('data-theme'), second);
        await go('/', /.+/);
        await page.getByTestId('health-check').first().waitFor();
        await check(`17-overview-${second}`);
    });

    test('keyboard: the skip link leads to the content, headers sort with Enter', async () => {
        await go('/queries', 'Queries');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
        const header = page.getByTestId('statements-table').getByRole('columnheader', { name: /Mean/ });
        await header.getByRole('button').focus();
        await page.keyboard.press('Enter');
        assert.equal(await header.getAttribute('aria-sort'), 'descending');
    });

    test('usable at 375 px: no sideways scrolling, the menu opens', async () => {
        await page.setViewportSize({ width: 375, height: 812 });
        for (const [path, heading, name] of [
            ['/', /.+/, '18-phone-overview'],
            ['/queries', 'Queries', '19-phone-queries'],
            ['/optimizations', 'Optimizations', '20-phone-optimizations'],
        ]) {
            await go(path, heading);
            await page.waitForLoadState('networkidle').catch(() => {});
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px at 375px`);
            await screenshot(page, name);
        }
        const menu = page.getByRole('button', { name: 'Menu' });
        await menu.click();
        assert.equal(await menu.getAttribute('aria-expanded'), 'true');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
        await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
        await check('21-phone-audit');
        await page.setViewportSize({ width: 1280, height: 900 });
    });

    test('logs out', async () => {
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('heading', { name: 'Log in to OptiSchema' }).waitFor();
    });

    test('no console errors on any page', () => {
        assert.deepEqual(b.errors, []);
    });
});
