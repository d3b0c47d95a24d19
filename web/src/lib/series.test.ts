import { describe, expect, it } from 'vitest';
import { decadeTicks, historySeries, latencySeries, logScale, scatterLayout, workloadSeries } from './series';
import type { HistoryPoint, Statement } from './types';

const h = (at: string, calls: number, total_ms: number, mean_ms?: number): HistoryPoint => ({
    at,
    interval_ms: 60_000,
    calls,
    total_ms,
    mean_ms: mean_ms ?? (calls ? total_ms / calls : NaN),
    rows: calls,
});

describe('historySeries', () => {
    it('sorts by time, converts to seconds and drops unreadable times', () => {
        const s = historySeries([h('2026-11-28T00:02:00Z', 4, 40), h('bad', 1, 1), h('2026-11-28T00:01:00Z', 2, 10)]);
        expect(s[0]).toEqual([Date.parse('2026-11-28T00:01:00Z') / 1000, Date.parse('2026-11-28T00:02:00Z') / 1000]);
        expect(s[1]).toEqual([5, 10]);
        expect(s[2]).toEqual([2, 4]);
    });
    it('uses null for a mean it cannot know', () => {
        const s = historySeries([h('2026-11-28T00:02:00Z', 0, 0)]);
        expect(s[1]).toEqual([null]);
    });
});

describe('workloadSeries', () => {
    it('sums several statements per snapshot and derives the mean', () => {
        const { series, totalCalls } = workloadSeries([
            [h('2026-11-28T00:01:00Z', 10, 100), h('2026-11-28T00:02:00Z', 10, 50)],
            [h('2026-11-28T00:01:00.300Z', 30, 20)],
        ]);
        expect(series[0]).toHaveLength(2);
        expect(series[1]).toEqual([3, 5]); // (100 + 20) / 40, 50 / 10
        expect(series[2]).toEqual([40, 10]);
        expect(series[3]).toEqual([120, 50]);
        expect(totalCalls).toBe(50);
    });
});

describe('latencySeries', () => {
    it('keeps failed samples as gaps', () => {
        const s = latencySeries([
            { at: '2026-11-28T00:01:00Z', connect_ms: 2, p50_ms: 0.3, p95_ms: 0.9, error: null },
            { at: '2026-11-28T00:00:00Z', connect_ms: null, p50_ms: null, p95_ms: null, error: 'down' },
        ]);
        expect(s[1]).toEqual([null, 2]);
        expect(s[3]).toEqual([null, 0.9]);
    });
});

describe('log scales and the scatter plot', () => {
    it('maps decades evenly', () => {
        const s = logScale(1, 1000, 300);
        expect(s(1)).toBeCloseTo(0);
        expect(s(10)).toBeCloseTo(100);
        expect(s(1000)).toBeCloseTo(300);
        expect(decadeTicks(3, 4500)).toEqual([1, 10, 100, 1000, 10000]);
    });
    it('places statements by calls and mean time, biggest total largest', () => {
        const st = (fingerprint: string, calls: number, mean_ms: number): Statement => ({
            fingerprint,
            query: fingerprint,
            calls,
            mean_ms,
            total_ms: calls * mean_ms,
            rows: 0,
            share: 0,
            cache_hit_pct: null,
            shared_blks_read: 0,
            temp_blks_written: 0,
        });
        const layout = scatterLayout([st('many-fast', 10000, 0.1), st('few-slow', 10, 500), st('none', 0, 0)], 400, 200);
        expect(layout.points).toHaveLength(2);
        const [fast, slow] = layout.points;
        expect(fast!.x).toBeGreaterThan(slow!.x);
        expect(slow!.y).toBeLessThan(fast!.y); // slower is higher up
        expect(slow!.r).toBeGreaterThan(fast!.r);
        for (const p of layout.points) {
            expect(p.x).toBeGreaterThanOrEqual(0);
            expect(p.x).toBeLessThanOrEqual(400);
            expect(p.y).toBeGreaterThanOrEqual(0);
            expect(p.y).toBeLessThanOrEqual(200);
        }
        expect(scatterLayout([], 100, 100).points).toEqual([]);
    });
});
