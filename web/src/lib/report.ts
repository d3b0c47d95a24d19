// The report of a target's current state (what is slow, what to do, what was applied): what goes
// into it, shared by the printable page and the PDF file, and the PDF itself. Pure.

import { ellipsize, formatBytes, formatCount, formatDateTime, formatMs, formatPct, formatShare, formatSpeedup } from './format';
import { PdfBuilder } from './pdf';
import { rankRecommendations, savedMs, savedSharePct, sortChecks } from './recommendations';
import type { AuditEvent, Check, IndexHealthFinding, IndexHealthResponse, OverviewResponse, Recommendation, Statement, StatementsResponse, Target } from './types';

/// What the report is made from, as the API answered; a section whose request failed is null/empty
/// and named in `failures`.
export interface ReportData {
    overview: OverviewResponse | null;
    statements: StatementsResponse | null;
    recommendations: Recommendation[];
    health: IndexHealthResponse | null;
    audit: AuditEvent[];
    failures: string[];
}

/// The report's sections, in the order they are shown.
export interface ReportSections {
    statements: Statement[];
    statementsTotalMs: number | null;
    warnings: Check[];
    recommendations: Recommendation[];
    findings: IndexHealthFinding[];
    changes: AuditEvent[];
}

export function reportSections(d: ReportData): ReportSections {
    return {
        statements: d.statements?.statements ?? [],
        statementsTotalMs: d.statements?.total_ms ?? null,
        warnings: sortChecks(d.overview?.checks ?? []).filter((c) => c.status !== 'pass'),
        recommendations: rankRecommendations(d.recommendations),
        findings: d.health?.findings ?? [],
        changes: d.audit.filter((e) => e.action === 'apply' || e.action === 'rollback'),
    };
}

/// One line on a recommendation's expected and measured effect.
export function recommendationSummary(r: Recommendation): string {
    const share = savedSharePct(r);
    const validation = r.validation
        ? `validated: ${r.validation.verdict.replace('_', ' ')}${r.validation.verdict === 'improved' ? ` (${formatSpeedup(r.validation.speedup)})` : ''}`
        : 'not validated yet';
    return `projected saving ${formatMs(savedMs(r))}${share !== null ? ` (${formatPct(share)} of the workload)` : ''}, size ${formatBytes(
        r.evidence?.estimated_size_bytes,
    )}; ${validation}.`;
}

/// How an audit event of the report's "what was applied" is named.
export function changeLabel(e: AuditEvent): string {
    return `${e.action}${e.related_id ? ` of #${e.related_id}` : ` #${e.id}`}`;
}

/// The report as a PDF file.
export function reportPdf(target: Target, d: ReportData, generated: Date): Uint8Array<ArrayBuffer> {
    const s = reportSections(d);
    const pdf = new PdfBuilder({ title: `OptiSchema report: ${target.name}`, footer: `OptiSchema report: ${target.name}`, createdAt: generated });
    pdf.heading(`OptiSchema report: ${target.name}`, 1);
    pdf.paragraph(
        `${target.dsn_display} · generated ${formatDateTime(generated, true)} · query time in the last hour ${formatMs(d.overview?.total_ms_last_hour ?? null)}`,
        { size: 9, gray: 0.35 },
    );
    if (d.failures.length > 0) pdf.paragraph(`Could not load: ${d.failures.join(', ')}. Those sections are empty.`);

    pdf.heading('What is slow', 2);
    if (s.statements.length === 0) {
        pdf.paragraph('No statements were recorded in the last 24 hours.');
    } else {
        pdf.paragraph(`The ${s.statements.length} statements that took the most time in the last 24 hours (${formatMs(s.statementsTotalMs)} in all):`);
        pdf.table(
            [
                { header: 'Statement', weight: 6, mono: true },
                { header: 'Total', weight: 1.1, align: 'right' },
                { header: 'Share', weight: 0.9, align: 'right' },
                { header: 'Calls', weight: 1, align: 'right' },
                { header: 'Mean', weight: 1, align: 'right' },
            ],
            s.statements.map((st) => [ellipsize(st.query, 300), formatMs(st.total_ms), formatShare(st.share), formatCount(st.calls), formatMs(st.mean_ms)]),
        );
    }
    if (s.warnings.length > 0) {
        pdf.heading('Health checks that need attention', 3);
        for (const c of s.warnings) {
            pdf.paragraph(`${c.name}: ${c.message}`, { keepWithNext: c.fix ? 20 : 0 });
            if (c.fix) pdf.code(c.fix);
        }
    }

    pdf.heading('What to do', 2);
    if (s.recommendations.length === 0) {
        pdf.paragraph('No recommendations at the moment.');
    } else {
        s.recommendations.forEach((r, i) => {
            pdf.paragraph(`${i + 1}. ${r.title || r.id}`, { font: 'bold', keepWithNext: 60 });
            pdf.paragraph(recommendationSummary(r), { indent: 12 });
            pdf.code(r.sql);
            if (r.rollback_sql) pdf.paragraph(`Rollback: ${r.rollback_sql}`, { indent: 12, size: 8, gray: 0.35 });
        });
    }
    if (s.findings.length > 0) {
        pdf.heading('Index health', 3);
        pdf.table(
            [
                { header: 'Severity', weight: 1 },
                { header: 'Object', weight: 2 },
                { header: 'Finding', weight: 4 },
                { header: 'Fix', weight: 3, mono: true },
            ],
            s.findings.map((f) => [f.severity, f.object, f.message, f.fix_sql]),
        );
    }

    pdf.heading('What was applied', 2);
    if (s.changes.length === 0) {
        pdf.paragraph('Nothing has been applied through OptiSchema.');
    } else {
        pdf.table(
            [
                { header: 'When (UTC)', weight: 1.6 },
                { header: 'Action', weight: 1.3 },
                { header: 'By', weight: 1 },
                { header: 'Outcome', weight: 1 },
                { header: 'SQL', weight: 4, mono: true },
            ],
            s.changes.map((e) => [formatDateTime(e.at, true), changeLabel(e), e.actor, e.outcome, e.sql ?? '']),
        );
    }
    return pdf.build();
}
