import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeLabel, recommendationSummary, reportPdf, reportSections, type ReportData } from './report';
import type { AuditEvent, IndexHealthResponse, Recommendation, Statement, Target } from './types';

const testdata = (name: string) => JSON.parse(readFileSync(new URL(`../../testdata/${name}`, import.meta.url), 'utf8'));
// Recorded on the demo database (web/testdata/README.md).
const audit = testdata('audit.json') as AuditEvent[];
const health = testdata('check.json') as IndexHealthResponse;
const top = testdata('top.json') as { total_ms: number; statements: (Omit<Statement, 'share'> & { share_pct: number })[] };
const advice = testdata('advise.json') as {
    recommendations: { id: string; ddl: string; rollback: string; table: string; columns: string[]; estimated_size_bytes: number; impact: Recommendation['evidence']['impact'] }[];
};

const target: Target = {
    id: 1,
    name: 'shop',
    dsn_display: 'optischema@/var/run/postgresql:5491/shop',
    interval_s: 5,
    production: true,
    source: 'cli',
    status: { state: 'up', error: null, last_snapshot_at: '2026-11-28T00:00:00Z', down_since: null, snapshots: 1, latency: null },
};

// The API's shapes, filled from the recorded CLI outputs.
const recommendations: Recommendation[] = advice.recommendations.map((r) => ({
    id: r.id,
    target_id: 1,
    kind: 'index',
    title: `Index on ${r.table} (${r.columns.join(', ')})`,
    sql: r.ddl,
    rollback_sql: r.rollback,
    evidence: { impact: r.impact, estimated_size_bytes: r.estimated_size_bytes },
    validation: null,
    updated_at: '2026-11-28T00:00:00Z',
}));
const data: ReportData = {
    overview: {
        target,
        checks: [
            { name: 'pg_stat_statements', status: 'pass', message: 'loaded', fix: '' },
            { name: 'track_io_timing', status: 'warn', message: 'I/O timing is off', fix: 'ALTER SYSTEM SET track_io_timing = on;' },
        ],
        top: [],
        total_ms_last_hour: 58827.173,
        last_snapshot_at: '2026-11-28T00:00:00Z',
    } as ReportData['overview'],
    statements: {
        from: '2026-11-27T00:00:00Z',
        to: '2026-11-28T00:00:00Z',
        total_ms: top.total_ms,
        statements: top.statements.map((s) => ({ ...s, share: s.share_pct / 100 })),
    },
    recommendations,
    health,
    audit,
    failures: [],
};

describe('reportSections', () => {
    it('keeps the warnings, ranks the recommendations and lists applies and rollbacks only', () => {
        const s = reportSections(data);
        expect(s.warnings.map((c) => c.name)).toEqual(['track_io_timing']);
        expect(s.recommendations[0]!.evidence.impact?.saved_ms).toBeGreaterThanOrEqual(s.recommendations[1]?.evidence.impact?.saved_ms ?? 0);
        expect(s.changes.length).toBeGreaterThan(0);
        expect(s.changes.every((e) => e.action === 'apply' || e.action === 'rollback')).toBe(true);
        expect(s.statements).toHaveLength(top.statements.length);
    });
    it('summarizes a recommendation and names a change', () => {
        expect(recommendationSummary(recommendations[0]!)).toMatch(/^projected saving [\d.,]+ (ms|s)\b.*of the workload\), size [\d.]+ MB; not validated yet\.$/);
        const rollback = audit.find((e) => e.action === 'rollback')!;
        expect(changeLabel(rollback)).toBe(`rollback of #${rollback.related_id}`);
    });
    it('survives a report whose requests all failed', () => {
        const empty = reportSections({ overview: null, statements: null, recommendations: [], health: null, audit: [], failures: ['overview'] });
        expect(empty.statements).toEqual([]);
        expect(empty.statementsTotalMs).toBeNull();
    });
});

const hasPdftotext = (() => {
    try {
        execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
})();

describe('reportPdf', () => {
    it.skipIf(!hasPdftotext)('holds every section of the recorded state, as poppler reads it', () => {
        const bytes = reportPdf(target, data, new Date('2026-11-28T10:00:00Z'));
        const dir = mkdtempSync(join(tmpdir(), 'optischema-report-'));
        let text: string;
        try {
            writeFileSync(join(dir, 'r.pdf'), bytes);
            text = execFileSync('pdftotext', ['-raw', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
        const flat = text.replace(/\s+/g, ' ');
        expect(flat).toContain('OptiSchema report: shop');
        expect(flat).toContain('generated 2026-11-28 10:00:00Z');
        expect(flat).toContain('What is slow');
        expect(flat).toContain(`The ${top.statements.length} statements that took the most time`);
        expect(flat).toContain('track_io_timing: I/O timing is off');
        expect(flat).toContain('ALTER SYSTEM SET track_io_timing = on;');
        expect(flat).toContain('What to do');
        expect(flat).toContain(recommendations[0]!.sql);
        expect(flat).toContain('Index health');
        expect(flat).toContain('What was applied');
        expect(flat).toContain(changeLabel(reportSections(data).changes[0]!));
        expect(flat).toMatch(/Page 1 of \d+/);
    });
});
