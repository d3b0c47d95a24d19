// Ranking of recommendations by impact, their apply/rollback state from the audit log, and the
// ordering of health checks. Pure.

import type { AuditEvent, Check, Recommendation } from './types';
import { toNumber } from './format';

/// The measured time a recommendation saves in the advisor's window (ms), or null when it was
/// weighted by planner cost only.
export function savedMs(r: Recommendation): number | null {
    return toNumber(r.evidence?.impact?.saved_ms);
}

/// The share of the workload's time it saves, 0..100, or null.
export function savedSharePct(r: Recommendation): number | null {
    return toNumber(r.evidence?.impact?.saved_share_pct);
}

/// Ranked by impact: measured time saved, then share of the workload, then proven by validation,
/// then id (stable).
export function rankRecommendations(recs: readonly Recommendation[]): Recommendation[] {
    const proven = (r: Recommendation) => (r.validation?.verdict === 'improved' ? 1 : 0);
    return [...recs]
        .filter((r) => r && typeof r === 'object' && r.id)
        .sort(
            (a, b) =>
                (savedMs(b) ?? -1) - (savedMs(a) ?? -1) ||
                (savedSharePct(b) ?? -1) - (savedSharePct(a) ?? -1) ||
                proven(b) - proven(a) ||
                String(a.id).localeCompare(String(b.id)),
        );
}

function detailRecommendation(e: AuditEvent): string | null {
    const d = e.detail;
    if (d && typeof d === 'object' && typeof (d as { recommendation?: unknown }).recommendation === 'string') {
        return (d as { recommendation: string }).recommendation;
    }
    return null;
}

export interface ChangeState {
    /// The audit id of the latest successful apply of this recommendation, or null.
    applyId: number | null;
    appliedAt: string | null;
    /// The audit id of the rollback of that apply, or null when it is still in place.
    rollbackId: number | null;
    /// The latest validation event's id (for the audit link), or null.
    validateId: number | null;
}

/// Where a recommendation stands according to the audit log: applied (and not rolled back), rolled back, or neither.
export function changeState(recommendationId: string, events: readonly AuditEvent[]): ChangeState {
    const mine = events.filter((e) => detailRecommendation(e) === recommendationId);
    const byTime = [...mine].sort((a, b) => (toNumber(b.id) ?? 0) - (toNumber(a.id) ?? 0));
    const apply = byTime.find((e) => e.action === 'apply' && e.outcome === 'ok') ?? null;
    const validate = byTime.find((e) => e.action === 'validate') ?? null;
    let rollbackId: number | null = null;
    if (apply) {
        const rb = events.find((e) => e.action === 'rollback' && e.outcome === 'ok' && e.related_id === apply.id);
        rollbackId = rb ? rb.id : null;
    }
    return {
        applyId: apply ? apply.id : null,
        appliedAt: apply ? apply.at : null,
        rollbackId,
        validateId: validate ? validate.id : null,
    };
}

/// The apply events that have no successful rollback yet.
export function openApplies(events: readonly AuditEvent[]): AuditEvent[] {
    const rolledBack = new Set(
        events.filter((e) => e.action === 'rollback' && e.outcome === 'ok' && e.related_id !== null).map((e) => e.related_id),
    );
    return events.filter((e) => e.action === 'apply' && e.outcome === 'ok' && !rolledBack.has(e.id));
}

const CHECK_ORDER: Record<string, number> = { fail: 0, warn: 1, pass: 2 };

/// Failing checks first, then warnings, then passes; by name within each.
export function sortChecks(checks: readonly Check[]): Check[] {
    return [...checks]
        .filter((c) => c && typeof c === 'object')
        .sort((a, b) => (CHECK_ORDER[a.status] ?? 3) - (CHECK_ORDER[b.status] ?? 3) || String(a.name).localeCompare(String(b.name)));
}

/// Counts of checks by status.
export function checkCounts(checks: readonly Check[]): { pass: number; warn: number; fail: number } {
    const out = { pass: 0, warn: 0, fail: 0 };
    for (const c of checks) if (c && (c.status === 'pass' || c.status === 'warn' || c.status === 'fail')) out[c.status] += 1;
    return out;
}
