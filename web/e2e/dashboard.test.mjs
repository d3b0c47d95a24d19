// Browser tests of the dashboard against a running `optischema serve` (OPTISCHEMA_URL, with the
// admin password in OPTISCHEMA_ADMIN_PASSWORD); scripts/web_e2e.sh runs them on `optischema demo`.
// One browser, one session, steps in order, as a new user would go: log in, watch queries arrive
// live, open a plan, validate, apply and roll back a recommendation, find both in the audit log,
// export, set up the AI assistant against a local OpenAI-compatible server (e2e/fake-llm.mjs) and
// ask it about a query, change a user's role, create, use and revoke an API token, switch theme,
// use a phone-width screen and the keyboard. axe-core checks every page; screenshots go to
// web/test-results/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { axeViolations, launch, screenshot } from './browser.mjs';
import { startFakeLlm } from './fake-llm.mjs';

const skip = !process.env.OPTISCHEMA_URL ? 'set OPTISCHEMA_URL and OPTISCHEMA_ADMIN_PASSWORD' : false;
const LIVE_TIMEOUT = Number(process.env.E2E_LIVE_TIMEOUT_MS ?? 90_000);
const SLOW_TIMEOUT = Number(process.env.E2E_SLOW_TIMEOUT_MS ?? 300_000);

describe('dashboard', { skip }, () => {
    let base;
    let password;
    let b;
    let page;
    let llm;
    let queryUrl;

    before(async () => {
        base = process.env.OPTISCHEMA_URL.replace(/\/$/, '');
        password = process.env.OPTISCHEMA_ADMIN_PASSWORD ?? '';
        llm = await startFakeLlm();
        b = await launch();
        page = b.page;
        page.setDefaultTimeout(20_000);
    });

    after(async () => {
        await b?.close();
        await llm?.close();
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
        queryUrl = page.url();
        await page.getByTestId('ai-assistant').getByTestId('ai-not-configured').waitFor();
        await check('05-query-detail');
        // With no AI provider yet, the assistant links to where one is set up.
        await page.getByTestId('ai-assistant').getByRole('link', { name: 'Set one up in Settings' }).click();
        await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
        await page.waitForFunction(() => document.activeElement?.id === 'ai-provider');
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
        await check('11-analytics');
    });

    test('index health lists findings with their fix', async () => {
        await go('/indexes', 'Index health');
        await page.locator('[data-testid="index-finding"], [data-testid="empty-state"]').first().waitFor({ timeout: 60_000 });
        await check('12-index-health');
    });

    test('exports: CSV of a table, the SQL script, the report as a PDF file and printed', async () => {
        await go('/exports', 'Exports');
        const row = page.getByTestId('export-statements');
        const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /CSV/ }).click()]);
        const csv = readFileSync(await download.path(), 'utf8');
        assert.match(csv, /^fingerprint,query,calls,total_ms,mean_ms,rows,share_pct,cache_hit_pct/);
        await page.locator('[data-testid="sql-script"], [data-testid="empty-state"]').first().waitFor();
        await check('13-exports');
        await page.getByRole('link', { name: 'Open the report' }).click();
        await page.getByTestId('report').waitFor();
        await page.getByRole('heading', { name: 'What is slow' }).waitFor();
        await check('14-report');
        // The PDF file, read back by a real PDF reader (poppler's pdftotext).
        const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
        assert.match(pdfDownload.suggestedFilename(), /^optischema-report-.*\.pdf$/);
        const pdfPath = await pdfDownload.path();
        assert.equal(readFileSync(pdfPath).subarray(0, 8).toString('latin1'), '%PDF-1.4');
        const pdfText = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
        for (const heading of ['OptiSchema report', 'What is slow', 'What to do', 'What was applied', 'Page 1 of']) {
            assert.ok(pdfText.includes(heading), `the PDF lacks "${heading}":\n${pdfText.slice(0, 2000)}`);
        }
        const reportText = await page.getByTestId('report').innerText();
        if (!reportText.includes('No statements were recorded')) {
            assert.ok(pdfText.includes('statements that took the most time'), 'the PDF lists no statement');
        }
        if (reportText.includes('CREATE INDEX')) assert.ok(pdfText.includes('CREATE INDEX'), 'the PDF lacks the recommendations');
        await page.emulateMedia({ media: 'print' });
        await screenshot(page, '15-report-print');
        const pdf = await page.pdf({ format: 'A4' });
        assert.ok(pdf.length > 10_000, 'the report does not print');
        await page.emulateMedia({ media: 'screen' });
    });

    test('settings: the targets wizard tests a connection and shows each check with its fix', async () => {
        await go('/settings', 'Settings');
        await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
        await page.getByTestId('ai-provider').locator('.badge', { hasText: /^not configured$/ }).waitFor();
        await page.getByRole('button', { name: 'Add a database' }).click();
        const wizard = page.getByTestId('target-wizard');
        await wizard.getByLabel('Name').fill('e2e-check');
        await wizard.getByLabel(/Connection string/).fill('host=/nonexistent-socket-dir dbname=nothing connect_timeout=2');
        await wizard.getByRole('button', { name: 'Test connection' }).click();
        await wizard.locator('[data-testid="connection-checks"], .inline-error').first().waitFor({ timeout: 60_000 });
        assert.equal(await wizard.getByRole('button', { name: 'Save' }).isDisabled(), true, 'a database that fails its test can be saved');
        await check('16-settings');
    });

    test('adds a second database, switches to it with the selector, and removes it', { skip: !process.env.OPTISCHEMA_E2E_TARGET_DSN ? 'set OPTISCHEMA_E2E_TARGET_DSN to a database that passes the checks' : false }, async () => {
        const wizard = page.getByTestId('target-wizard');
        await wizard.getByLabel('Name').fill('e2e-second');
        await wizard.getByLabel(/Connection string/).fill(process.env.OPTISCHEMA_E2E_TARGET_DSN);
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

    test('settings: the AI provider is tested with unsaved settings, saved, and its key never shown', async () => {
        await go('/settings', 'Settings');
        const section = page.getByTestId('ai-provider');
        await section.getByTestId('ai-privacy-note').waitFor();
        const form = section.getByTestId('ai-form');
        await form.getByLabel('Provider').selectOption('openai');
        await form.getByLabel(/^Base URL/).fill('127.0.0.1:1/v1');
        await form.getByLabel('Model').fill('gpt-e2e-mini');
        await form.getByRole('button', { name: 'Save' }).click();
        await form.getByText(/must start with http:\/\/ or https:\/\//).waitFor();
        assert.equal(await form.getByLabel(/^Base URL/).getAttribute('aria-invalid'), 'true');

        await form.getByLabel(/^Base URL/).fill(llm.url);
        await form.getByLabel(/^API key/).fill('sk-e2e-secret-key');
        await form.getByLabel(/^Timeout/).fill('30');
        const before = llm.completions();
        await form.getByRole('button', { name: 'Test connection' }).click();
        await form.getByTestId('ai-test-result').filter({ hasText: /Connection works: fake-gpt-e2e .* answered in/ }).waitFor({ timeout: 60_000 });
        assert.equal(llm.completions(), before + 1, 'the test sent one request');
        assert.equal(llm.requests.at(-1).authorization, 'Bearer sk-e2e-secret-key', 'the unsaved key was used');
        assert.equal(await section.locator('.badge', { hasText: /^not configured$/ }).count(), 1, 'testing does not save');

        await form.getByRole('button', { name: 'Save' }).click();
        await section.locator('.badge', { hasText: /^configured$/ }).waitFor();
        const summary = section.getByTestId('ai-settings-summary');
        await summary.getByText('saved in the dashboard').waitFor();
        await summary.getByText('gpt-e2e-mini').waitFor();
        await summary.getByText('stored (never shown)').waitFor();
        assert.equal(await form.getByLabel(/^API key/).inputValue(), '', 'the key field is emptied');
        await form.getByText('leave empty to keep the stored key').waitFor();
        await section.getByTestId('ai-cache').waitFor();
        await page.reload();
        await section.locator('.badge', { hasText: /^configured$/ }).waitFor();
        assert.doesNotMatch(await page.content(), /sk-e2e-secret-key/, 'the key is sent back to the page');
        await check('22-settings-ai');
    });

    test('a query: Ask AI renders the explanation, verified suggestions and, asked again, the cached answer', async () => {
        assert.ok(queryUrl, 'the query detail test ran first');
        await page.goto(queryUrl);
        const panel = page.getByTestId('ai-assistant');
        await panel.getByRole('heading', { name: 'AI assistant' }).waitFor();
        const before = llm.completions();
        await panel.getByRole('button', { name: /^Ask AI/ }).click();
        const answer = panel.getByTestId('ai-answer');
        await answer.waitFor({ timeout: SLOW_TIMEOUT });
        assert.equal(llm.completions(), before + 1, 'one request to the provider');
        assert.equal(await answer.locator('.badge', { hasText: 'from cache' }).count(), 0);
        assert.match(await answer.getByTestId('ai-meta').innerText(), /fake-gpt-e2e · [\d,]+ tokens in, [\d,]+ out · price unknown/);

        // The markdown is rendered: a heading, a list, bold text; no markup left over.
        const md = answer.locator('.markdown');
        await md.getByRole('heading', { name: 'Where the time goes' }).waitFor();
        assert.ok((await md.locator('li').count()) >= 2, 'the list is not rendered');
        assert.equal(await md.locator('strong').first().innerText(), 'most of its time');
        const text = await answer.innerText();
        assert.doesNotMatch(text, /\*\*|^#+ /m, 'raw markdown is shown');

        const rewrite = answer.getByTestId('ai-rewrite').first();
        await rewrite.waitFor();
        assert.match(await rewrite.locator('.badge').innerText(), /^(verified|rejected|unverified)$/);
        await rewrite.getByText(/^Suggested by fake-gpt-e2e\.$/).waitFor();
        await rewrite.getByRole('button', { name: /Copy rewrite 1/ }).waitFor();
        await answer.getByTestId('ai-index-idea').first().locator('.badge').waitFor();
        await check('23-query-ai');

        // Asked again after a reload: the server's cache answers, the provider is not asked.
        await page.reload();
        await panel.getByRole('button', { name: /^Ask AI/ }).click();
        await answer.locator('.badge', { hasText: 'from cache' }).waitFor({ timeout: SLOW_TIMEOUT });
        assert.equal(llm.completions(), before + 1, 'a cached answer sent a request');
        await screenshot(page, '24-query-ai-cached');

        // Skipping the cache asks the provider again.
        await panel.getByRole('button', { name: /^Ask again \(skip cache\)/ }).click();
        await answer.locator('.badge', { hasText: 'from cache' }).waitFor({ state: 'detached', timeout: SLOW_TIMEOUT });
        await panel.getByRole('button', { name: /^Ask again \(skip cache\)/ }).waitFor({ timeout: SLOW_TIMEOUT });
        assert.equal(llm.completions(), before + 2);

        // In the other theme too, for contrast.
        await page.getByTestId('theme-toggle').click();
        await check('25-query-ai-other-theme');
        await page.getByTestId('theme-toggle').click();
    });

    test('optimizations: Ask AI on a recommendation keeps going while the user browses elsewhere', async () => {
        await go('/optimizations', 'Optimizations');
        const rec = page.getByTestId('recommendation').first();
        const id = await rec.getAttribute('data-recommendation-id');
        const before = llm.completions();
        await rec.getByRole('button', { name: /^Ask AI/ }).click();
        await rec.getByTestId('ai-progress').waitFor();
        await screenshot(page, '23a-recommendation-ai-progress');
        const nav = page.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name: 'Queries' }).click();
        await page.getByRole('heading', { level: 1, name: 'Queries' }).waitFor();
        await nav.getByRole('link', { name: 'Optimizations' }).click();
        const again = page.locator(`[data-testid="recommendation"][data-recommendation-id="${id}"]`);
        await again.getByTestId('ai-answer').waitFor({ timeout: SLOW_TIMEOUT });
        await again.getByRole('heading', { name: 'AI assistant' }).waitFor();
        await again.getByTestId('ai-rewrite').first().locator('.badge').waitFor();
        assert.equal(llm.completions(), before + 1, 'coming back asked again');
        await check('23b-recommendation-ai');
    });

    test('settings: an admin changes a user\'s role and password', async () => {
        await go('/settings', 'Settings');
        await page.getByLabel('User name').fill('e2e-ops');
        await page.getByLabel('Password', { exact: true }).fill('e2e-ops-password');
        await page.locator('#u-role').selectOption('viewer');
        await page.getByRole('button', { name: 'Add user' }).click();
        const role = page.getByLabel('Role of e2e-ops');
        await role.waitFor();
        assert.equal(await role.inputValue(), 'viewer');
        await role.selectOption('operator');
        await page.getByText('e2e-ops is now an operator.').waitFor();
        await page.reload();
        await page.getByLabel('Role of e2e-ops').waitFor();
        assert.equal(await page.getByLabel('Role of e2e-ops').inputValue(), 'operator', 'the new role is not stored');

        await page.getByRole('button', { name: 'Set password for e2e-ops' }).click();
        const dialog = page.getByRole('dialog', { name: 'New password for e2e-ops' });
        await dialog.getByLabel(/^New password/).fill('short');
        await dialog.getByRole('button', { name: 'Set password' }).click();
        await dialog.getByText('A password needs at least 8 characters.').waitFor();
        await dialog.getByLabel(/^New password/).fill('another-e2e-password');
        await dialog.getByRole('button', { name: 'Set password' }).click();
        await page.getByText('The password of e2e-ops was changed.').waitFor();
        await dialog.waitFor({ state: 'hidden' });
        await page.getByLabel('Role of e2e-ops').selectOption('viewer');
        await page.getByText('e2e-ops is now a viewer.').waitFor();

        // The viewer, logged in with the new password elsewhere, reads the AI settings and cannot ask.
        const other = await launch();
        try {
            const p2 = other.page;
            p2.setDefaultTimeout(20_000);
            await p2.goto(`${base}/login`);
            await p2.getByLabel('User name').fill('e2e-ops');
            await p2.getByLabel('Password').fill('another-e2e-password');
            await p2.getByRole('button', { name: 'Log in' }).click();
            await p2.getByTestId('current-user').filter({ hasText: 'e2e-ops' }).waitFor();
            await p2.goto(queryUrl);
            const panel = p2.getByTestId('ai-assistant');
            await panel.getByText('Asking AI needs the operator role.').waitFor();
            assert.equal(await panel.getByRole('button', { name: /^Ask AI/ }).count(), 0, 'a viewer can ask');
            await p2.goto(`${base}/settings`);
            const section = p2.getByTestId('ai-provider');
            await section.getByText('Changing the provider needs the admin role.').waitFor();
            await section.getByTestId('ai-settings-summary').getByText('gpt-e2e-mini').waitFor();
            assert.equal(await section.getByTestId('ai-form').count(), 0);
            await screenshot(p2, '26a-settings-viewer');
            assert.deepEqual(other.errors, [], 'console errors for the viewer');
        } finally {
            await other.close();
        }

        // Demoting yourself asks first; cancelling keeps the role.
        const mine = page.getByLabel('Role of admin', { exact: true });
        await mine.selectOption('viewer');
        const confirm = page.getByRole('dialog', { name: 'Make yourself a viewer?' });
        await confirm.waitFor();
        await screenshot(page, '26b-demote-self');
        await confirm.getByRole('button', { name: 'Cancel' }).click();
        assert.equal(await mine.inputValue(), 'admin');
        await check('27-settings-users');

        await page.getByRole('button', { name: 'Remove user e2e-ops' }).click();
        await page.getByRole('dialog', { name: 'Remove user e2e-ops?' }).getByRole('button', { name: 'Remove', exact: true }).click();
        await page.getByLabel('Role of e2e-ops').waitFor({ state: 'detached' });
    });

    test('settings: an API token is shown once, works for a script without cookie or CSRF, and is revoked', async () => {
        await go('/settings', 'Settings');
        const section = page.getByTestId('api-tokens');
        await section.getByLabel('Name', { exact: true }).fill('e2e-script');
        await section.locator('#t-role').selectOption('operator');
        await section.getByRole('button', { name: 'Create token' }).click();
        const shown = section.getByTestId('new-api-token');
        await shown.getByText('it is not shown again').waitFor();
        const secret = (await shown.getByTestId('api-token-secret').innerText()).trim();
        assert.match(secret, /^osk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
        const asScript = (path) => fetch(`${base}/api/v1${path}`, { headers: { Authorization: `Bearer ${secret}` } });
        const me = await asScript('/auth/me');
        assert.equal(me.status, 200);
        assert.equal((await me.json()).user.role, 'operator');
        await check('27c-settings-api-token');

        await shown.getByRole('button', { name: 'I have copied it' }).click();
        await shown.waitFor({ state: 'detached' });
        const table = section.getByTestId('api-tokens-table');
        await table.getByText('e2e-script').waitFor();
        await page.reload();
        await section.getByTestId('api-tokens-table').getByText('e2e-script').waitFor();
        assert.equal((await page.locator('body').innerText()).includes(secret.slice(21)), false, 'the token is shown again');

        await section.getByRole('button', { name: 'Revoke token e2e-script' }).click();
        const confirm = page.getByRole('dialog', { name: 'Revoke the token e2e-script?' });
        await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
        await page.getByText('The token e2e-script was revoked.').waitFor();
        await section.getByTestId('api-tokens-table').getByText('revoked').waitFor();
        const refused = await asScript('/auth/me');
        assert.equal(refused.status, 401);
        assert.match((await refused.json()).error.message, /revoked/);
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
            ['/settings', 'Settings', '20b-phone-settings'],
        ]) {
            await go(path, heading);
            await page.waitForLoadState('networkidle').catch(() => {});
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px at 375px`);
            await screenshot(page, name);
        }
        // A query with its AI answer (from the server's cache).
        await page.goto(queryUrl);
        await page.getByTestId('ai-assistant').getByRole('button', { name: /^Ask AI/ }).click();
        await page.getByTestId('ai-answer').waitFor({ timeout: SLOW_TIMEOUT });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `the query page with an AI answer scrolls sideways by ${overflow}px at 375px`);
        await screenshot(page, '20c-phone-query-ai');
        const menu = page.getByRole('button', { name: 'Menu' });
        await menu.click();
        assert.equal(await menu.getAttribute('aria-expanded'), 'true');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
        await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
        await check('21-phone-audit');
        await page.setViewportSize({ width: 1280, height: 900 });
    });

    test('settings: the AI provider goes back to the configuration file', async () => {
        await go('/settings', 'Settings');
        const section = page.getByTestId('ai-provider');
        await section.getByRole('button', { name: 'Reset to config file…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Go back to the configuration file’s settings?' });
        await dialog.getByRole('button', { name: 'Reset', exact: true }).click();
        await section.locator('.badge', { hasText: /^not configured$/ }).waitFor();
        await section.getByTestId('ai-settings-summary').getByText('nothing configured').waitFor();
        assert.equal(await section.getByRole('button', { name: 'Reset to config file…' }).count(), 0);
    });

    test('logs out', async () => {
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('heading', { name: 'Log in to OptiSchema' }).waitFor();
    });

    test('no console errors on any page', () => {
        assert.deepEqual(b.errors, []);
    });
});
