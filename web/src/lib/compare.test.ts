import { describe, expect, it } from 'vitest';
import { compareRanges, presetRange, previousRange } from './compare';
import type { Statement } from './types';

const st = (fingerprint: string, calls: number, mean_ms: number): Statement => ({
    fingerprint,
    query: `q ${fingerprint}`,
    calls,
    mean_ms,
    total_ms: calls * mean_ms,
    rows: calls,
    share: 0,
    cache_hit_pct: null,
    shared_blks_read: 0,
    temp_blks_written: 0,
});

describe('compareRanges', () => {
    const before = [st('a', 100, 10), st('b', 100, 10), st('c', 100, 10), st('d', 2, 10), st('gone', 50, 1)];
    const after = [st('a', 100, 30), st('b', 100, 5), st('c', 100, 11), st('d', 100, 100), st('new', 10, 5)];
    const r = compareRanges(before, after);

    it('finds regressions and improvements in the mean time, ordered by time cost and saved', () => {
        expect(r.regressions.map((c) => c.fingerprint)).toEqual(['a']);
        expect(r.regressions[0]).toMatchObject({ ratio: 3, deltaTotalMs: 2000, meanBefore: 10, meanAfter: 30 });
        expect(r.improvements.map((c) => c.fingerprint)).toEqual(['b']);
        expect(r.improvements[0]!.deltaTotalMs).toBe(-500);
    });
    it('ignores small changes and statements with too few calls', () => {
        expect([...r.regressions, ...r.improvements].map((c) => c.fingerprint)).not.toContain('c');
        expect([...r.regressions, ...r.improvements].map((c) => c.fingerprint)).not.toContain('d');
    });
    it('lists statements that appeared and disappeared', () => {
        expect(r.appeared.map((s) => s.fingerprint)).toEqual(['new']);
        expect(r.disappeared.map((s) => s.fingerprint)).toEqual(['gone']);
    });
    it('respects options and skips zero means', () => {
        const r2 = compareRanges(before, after, { minCalls: 1, minRatio: 1.05, limit: 1 });
        expect(r2.regressions.map((c) => c.fingerprint)).toEqual(['d']);
        const zero = compareRanges([st('z', 10, 0)], [st('z', 10, 5)]);
        expect(zero.regressions).toEqual([]);
    });
});

describe('ranges', () => {
    it('builds preset and previous ranges', () => {
        const now = 10_000_000;
        expect(presetRange('15m', now)).toEqual({ from: now - 900_000, to: now });
        expect(presetRange('unknown', now)).toEqual({ from: now - 3_600_000, to: now });
        expect(previousRange({ from: 100, to: 300 })).toEqual({ from: -100, to: 100 });
    });
});
