// Regressions and improvements between two time ranges, computed from two statements responses,
// and the named ranges the pages offer. Pure.

import type { Statement } from './types';
import { toNumber } from './format';

export interface RangeChange {
    fingerprint: string;
    query: string;
    callsBefore: number;
    callsAfter: number;
    meanBefore: number;
    meanAfter: number;
    /// meanAfter / meanBefore: above 1 is slower now.
    ratio: number;
    /// The time the change in mean costs (positive) or saves (negative) at the current call rate.
    deltaTotalMs: number;
}

export interface RangeComparison {
    regressions: RangeChange[];
    improvements: RangeChange[];
    /// Statements only in the later range.
    appeared: Statement[];
    /// Statements only in the earlier range.
    disappeared: Statement[];
}

export interface CompareOptions {
    /// Minimum calls in each range for a statement's mean to count (default 5).
    minCalls?: number;
    /// Minimum ratio of means to report (default 1.2, i.e. ±20%).
    minRatio?: number;
    /// At most this many of each list (default 10).
    limit?: number;
}

/// Compares the mean time of the statements present in both ranges. Regressions are ordered by the
/// time they cost, improvements by the time they save.
export function compareRanges(
    before: readonly Statement[],
    after: readonly Statement[],
    options: CompareOptions = {},
): RangeComparison {
    const minCalls = options.minCalls ?? 5;
    const minRatio = options.minRatio ?? 1.2;
    const limit = options.limit ?? 10;
    const earlier = new Map<string, Statement>();
    for (const s of before) if (s && s.fingerprint) earlier.set(s.fingerprint, s);
    const later = new Set<string>();
    const changes: RangeChange[] = [];
    const appeared: Statement[] = [];
    for (const s of after) {
        if (!s || !s.fingerprint) continue;
        later.add(s.fingerprint);
        const b = earlier.get(s.fingerprint);
        if (!b) {
            appeared.push(s);
            continue;
        }
        const callsBefore = toNumber(b.calls) ?? 0;
        const callsAfter = toNumber(s.calls) ?? 0;
        if (callsBefore < minCalls || callsAfter < minCalls) continue;
        const meanBefore = toNumber(b.mean_ms) ?? (toNumber(b.total_ms) ?? 0) / callsBefore;
        const meanAfter = toNumber(s.mean_ms) ?? (toNumber(s.total_ms) ?? 0) / callsAfter;
        if (!(meanBefore > 0) || !(meanAfter > 0)) continue;
        const ratio = meanAfter / meanBefore;
        changes.push({
            fingerprint: s.fingerprint,
            query: s.query,
            callsBefore,
            callsAfter,
            meanBefore,
            meanAfter,
            ratio,
            deltaTotalMs: (meanAfter - meanBefore) * callsAfter,
        });
    }
    const disappeared = before.filter((s) => s && s.fingerprint && !later.has(s.fingerprint));
    return {
        regressions: changes
            .filter((c) => c.ratio >= minRatio)
            .sort((a, b) => b.deltaTotalMs - a.deltaTotalMs)
            .slice(0, limit),
        improvements: changes
            .filter((c) => c.ratio <= 1 / minRatio)
            .sort((a, b) => a.deltaTotalMs - b.deltaTotalMs)
            .slice(0, limit),
        appeared: appeared.sort((a, b) => (b.total_ms ?? 0) - (a.total_ms ?? 0)).slice(0, limit),
        disappeared: disappeared.sort((a, b) => (b.total_ms ?? 0) - (a.total_ms ?? 0)).slice(0, limit),
    };
}

export interface TimeRange {
    from: number; // Unix ms
    to: number;
}

export interface RangePreset {
    key: string;
    label: string;
    ms: number;
}

export const RANGE_PRESETS: readonly RangePreset[] = [
    { key: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
    { key: '1h', label: 'Last hour', ms: 3_600_000 },
    { key: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
    { key: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
    { key: '7d', label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
    { key: '30d', label: 'Last 30 days', ms: 30 * 24 * 3_600_000 },
];

/// The range a preset key names, ending at `now` (unknown keys mean the last hour).
export function presetRange(key: string, now: number): TimeRange {
    const p = RANGE_PRESETS.find((r) => r.key === key) ?? RANGE_PRESETS[1]!;
    return { from: now - p.ms, to: now };
}

/// The range of the same length just before `range`.
export function previousRange(range: TimeRange): TimeRange {
    const len = range.to - range.from;
    return { from: range.from - len, to: range.from };
}
