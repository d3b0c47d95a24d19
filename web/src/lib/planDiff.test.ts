import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presentPlanDiff, toneOf } from './planDiff';
import type { PlanDiffJson, Validation } from './types';

const validation = JSON.parse(
    readFileSync(new URL('../../testdata/validate.json', import.meta.url), 'utf8'),
) as Validation;

describe('presentPlanDiff on a recorded validation', () => {
    const d = presentPlanDiff(validation.plan_diff)!;

    it('summarises time, blocks and structural changes', () => {
        expect(d.ratioOf).toBe('time');
        expect(d.msBefore).toBeCloseTo(54.586);
        expect(d.msAfter).toBeCloseTo(0.091);
        expect(d.ratio).toBeCloseTo(54.586 / 0.091);
        expect(d.tone).toBe('better');
        expect(d.counts).toEqual({ same: 2, changed: 1, added: 1, removed: 1 });
        expect(d.headline).toBe(
            '54.6 ms → 0.091 ms (600× faster) · 8,449 → 8 blocks · 3 nodes changed (1 changed, 1 added, 1 removed)',
        );
    });

    it('labels changed nodes with both sides and leaves the missing side of added/removed empty', () => {
        const changed = d.rows.find((r) => r.change === 'changed')!;
        expect(changed.label).toBe('Seq Scan on orders → Bitmap Heap Scan on orders');
        expect(changed.tone).toBe('better');
        const added = d.rows.find((r) => r.change === 'added')!;
        expect(added.beforeMs).toBeNull();
        expect(added.afterMs).toBeCloseTo(0.034);
        expect(added.tone).toBe('neutral');
        const removed = d.rows.find((r) => r.change === 'removed')!;
        expect(removed.label).toBe('Gather Merge');
        expect(removed.afterMs).toBeNull();
        expect(new Set(d.rows.map((r) => r.key)).size).toBe(d.rows.length);
    });
});

describe('presentPlanDiff edge cases', () => {
    it('returns null without a diff', () => {
        expect(presentPlanDiff(null)).toBeNull();
        expect(presentPlanDiff(undefined)).toBeNull();
    });

    it('falls back to costs when the plans were not analyzed, and flags join order changes', () => {
        const diff: PlanDiffJson = {
            join_order_changed: true,
            before_scan_order: ['a', 'b'],
            after_scan_order: ['b', 'a'],
            before_cost: 100,
            after_cost: 400,
            before_ms: null,
            after_ms: null,
            before_blocks: 0,
            after_blocks: 0,
            nodes: [],
        };
        const d = presentPlanDiff(diff)!;
        expect(d.ratioOf).toBe('cost');
        expect(d.ratio).toBe(0.25);
        expect(d.tone).toBe('worse');
        expect(d.headline).toBe('cost 100 → 400 (4.0× slower) · same plan shape · join order changed');
        expect(d.scanOrderAfter).toEqual(['b', 'a']);
    });

    it('never divides by zero', () => {
        const diff = {
            join_order_changed: false,
            before_scan_order: [],
            after_scan_order: [],
            before_cost: 0,
            after_cost: 0,
            before_ms: 0,
            after_ms: 0,
            before_blocks: 0,
            after_blocks: 0,
            nodes: [
                { change: 'same', before: 'Result', after: 'Result', before_ms: 0, after_ms: 0, before_rows: 1, after_rows: 1, before_blocks: 0, after_blocks: 0 },
                { change: 'changed', before: 'A', after: 'B', before_ms: 5, after_ms: 0, before_rows: 1, after_rows: 1, before_blocks: 0, after_blocks: 0 },
            ],
        } as PlanDiffJson;
        const d = presentPlanDiff(diff)!;
        expect(d.ratio).toBe(1);
        expect(d.rows[0]!.ratio).toBe(1);
        expect(d.rows[1]!.ratio).toBeNull();
        expect(d.headline).not.toMatch(/NaN|Infinity|undefined/);
    });

    it('grades ratios with a 10% dead band', () => {
        expect(toneOf(1.05)).toBe('neutral');
        expect(toneOf(1.1)).toBe('better');
        expect(toneOf(0.9)).toBe('worse');
        expect(toneOf(null)).toBe('neutral');
    });
});
