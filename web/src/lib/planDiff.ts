// Presentation of a plan diff (the `plan_diff` of a validation): per-node rows with a tone
// (better / worse / neutral), ratios and a one-line headline. Pure.

import type { DiffChange, PlanDiffJson } from './types';
import { formatCount, formatMs, formatSpeedup, toNumber } from './format';

export type Tone = 'better' | 'worse' | 'neutral';

export interface DiffRow {
    key: string;
    change: DiffChange;
    label: string;
    beforeLabel: string | null;
    afterLabel: string | null;
    beforeMs: number | null;
    afterMs: number | null;
    /// before / after: above 1 is faster after the change.
    ratio: number | null;
    beforeRows: number | null;
    afterRows: number | null;
    beforeBlocks: number | null;
    afterBlocks: number | null;
    tone: Tone;
}

export interface DiffSummary {
    rows: DiffRow[];
    costBefore: number | null;
    costAfter: number | null;
    msBefore: number | null;
    msAfter: number | null;
    blocksBefore: number | null;
    blocksAfter: number | null;
    /// before / after of time when both plans were analyzed, else of cost.
    ratio: number | null;
    ratioOf: 'time' | 'cost' | null;
    joinOrderChanged: boolean;
    scanOrderBefore: string[];
    scanOrderAfter: string[];
    counts: Record<DiffChange, number>;
    headline: string;
    tone: Tone;
}

const CHANGES: DiffChange[] = ['same', 'changed', 'added', 'removed'];

function ratio(before: number | null, after: number | null): number | null {
    if (before === null || after === null) return null;
    if (before <= 0 && after <= 0) return 1;
    if (after <= 0) return null;
    return before / after;
}

/// better when at least 10% faster, worse when at least 10% slower.
export function toneOf(r: number | null): Tone {
    if (r === null) return 'neutral';
    if (r >= 1.1) return 'better';
    if (r <= 1 / 1.1) return 'worse';
    return 'neutral';
}

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/// Rows and totals of a plan diff; null when there is none.
export function presentPlanDiff(diff: PlanDiffJson | null | undefined): DiffSummary | null {
    if (!diff || typeof diff !== 'object') return null;
    const counts: Record<DiffChange, number> = { same: 0, changed: 0, added: 0, removed: 0 };
    const nodes = Array.isArray(diff.nodes) ? diff.nodes : [];
    const rows: DiffRow[] = nodes.map((n, i) => {
        const change: DiffChange = CHANGES.includes(n.change) ? n.change : 'changed';
        counts[change] += 1;
        const beforeMs = change === 'added' ? null : toNumber(n.before_ms);
        const afterMs = change === 'removed' ? null : toNumber(n.after_ms);
        const r = ratio(beforeMs, afterMs);
        const beforeLabel = n.before ?? null;
        const afterLabel = n.after ?? null;
        return {
            key: `${i}:${change}:${afterLabel ?? beforeLabel ?? ''}`,
            change,
            label:
                change === 'changed' && beforeLabel && afterLabel && beforeLabel !== afterLabel
                    ? `${beforeLabel} → ${afterLabel}`
                    : (afterLabel ?? beforeLabel ?? 'node'),
            beforeLabel,
            afterLabel,
            beforeMs,
            afterMs,
            ratio: r,
            beforeRows: change === 'added' ? null : toNumber(n.before_rows),
            afterRows: change === 'removed' ? null : toNumber(n.after_rows),
            beforeBlocks: change === 'added' ? null : toNumber(n.before_blocks),
            afterBlocks: change === 'removed' ? null : toNumber(n.after_blocks),
            tone: change === 'added' || change === 'removed' ? 'neutral' : toneOf(r),
        };
    });
    const msBefore = toNumber(diff.before_ms);
    const msAfter = toNumber(diff.after_ms);
    const costBefore = toNumber(diff.before_cost);
    const costAfter = toNumber(diff.after_cost);
    const timeRatio = ratio(msBefore, msAfter);
    const costRatio = ratio(costBefore, costAfter);
    const ratioOf = timeRatio !== null ? 'time' : costRatio !== null ? 'cost' : null;
    const overall = timeRatio ?? costRatio;
    const blocksBefore = toNumber(diff.before_blocks);
    const blocksAfter = toNumber(diff.after_blocks);
    const parts: string[] = [];
    if (ratioOf === 'time') parts.push(`${formatMs(msBefore)} → ${formatMs(msAfter)} (${formatSpeedup(overall)})`);
    else if (ratioOf === 'cost')
        parts.push(`cost ${formatCount(costBefore)} → ${formatCount(costAfter)} (${formatSpeedup(overall)})`);
    if (blocksBefore !== null && blocksAfter !== null && (blocksBefore > 0 || blocksAfter > 0)) {
        parts.push(`${formatCount(blocksBefore)} → ${formatCount(blocksAfter)} blocks`);
    }
    const structural = counts.changed + counts.added + counts.removed;
    parts.push(
        structural === 0
            ? 'same plan shape'
            : `${structural} node${structural === 1 ? '' : 's'} changed (${counts.changed} changed, ${counts.added} added, ${counts.removed} removed)`,
    );
    if (diff.join_order_changed) parts.push('join order changed');
    return {
        rows,
        costBefore,
        costAfter,
        msBefore,
        msAfter,
        blocksBefore,
        blocksAfter,
        ratio: overall,
        ratioOf,
        joinOrderChanged: Boolean(diff.join_order_changed),
        scanOrderBefore: strings(diff.before_scan_order),
        scanOrderAfter: strings(diff.after_scan_order),
        counts,
        headline: parts.join(' · '),
        tone: toneOf(overall),
    };
}
