import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAnalyzed, layoutPlan, sortFindings, visibleRows } from './plan';
import type { ExplainResponse, Finding, PlanNodeJson } from './types';

const fixture = (name: string) =>
    JSON.parse(readFileSync(new URL(`../../testdata/${name}`, import.meta.url), 'utf8')) as ExplainResponse;

describe('layoutPlan on a recorded EXPLAIN ANALYZE (3-table join)', () => {
    const explain = fixture('explain_join.json');
    const layout = layoutPlan(explain.plan, explain.findings);

    it('flattens the tree in pre-order with depths and tree guides', () => {
        expect(layout.analyzed).toBe(true);
        expect(layout.metric).toBe('time');
        expect(layout.rows.map((r) => r.label).slice(0, 3)).toEqual(['Limit', 'Sort', 'GroupAggregate']);
        expect(layout.rows.map((r) => r.depth)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 9, 10]);
        expect(layout.rows[0]!.guides).toEqual([]);
        const scanItems = layout.rows.find((r) => r.label === 'Seq Scan on public.order_items oi')!;
        expect(scanItems.guides.at(-1)).toBe('tee'); // the Hash follows it
        const hash = layout.rows.find((r) => r.id === scanItems.id + 1)!;
        expect(hash.label).toBe('Hash');
        expect(hash.guides.at(-1)).toBe('end');
    });

    it('uses the exclusive times and shares of the whole plan', () => {
        const shares = layout.rows.reduce((s, r) => s + r.share, 0);
        expect(shares).toBeGreaterThan(0.99);
        expect(shares).toBeLessThanOrEqual(1.0001);
        const hottest = layout.rows.find((r) => r.id === layout.hottestId)!;
        expect(hottest.label).toBe('Hash Join');
        expect(hottest.exclusiveMs).toBeCloseTo(57.113);
        expect(hottest.share).toBeCloseTo(57.113 / 193.994, 2);
        for (const r of layout.rows) {
            expect(Number.isFinite(r.barPct)).toBe(true);
            expect(r.barPct).toBeLessThanOrEqual(100);
        }
        expect(layout.totalMs).toBeCloseTo(193.994);
    });

    it('counts descendants so subtrees can be collapsed', () => {
        const join = layout.rows.find((r) => r.label === 'Hash Join')!;
        expect(join.descendantCount).toBe(6);
        const shown = visibleRows(layout.rows, new Set([join.id]));
        expect(shown).toHaveLength(layout.rows.length - 6);
        expect(shown.some((r) => r.label.startsWith('Seq Scan on public.order_items'))).toBe(false);
        expect(visibleRows(layout.rows, new Set())).toBe(layout.rows);
    });
});

describe('layoutPlan attaches findings and flags misestimates', () => {
    const explain = fixture('explain.json');
    const layout = layoutPlan(explain.plan, explain.findings);

    it('attaches each finding to its node by node_id', () => {
        const scan = layout.rows.find((r) => r.nodeType === 'Seq Scan')!;
        expect(scan.findings.map((f) => f.rule)).toContain('seq_scan_few_rows');
        expect(scan.severity).toBe('high');
        expect(scan.details.find(([k]) => k === 'Filter')?.[1]).toContain('order_id');
        expect(scan.details.find(([k]) => k === 'Rows Removed by Filter')?.[1]).toBe('500,000');
    });

    it('multiplies rows by loops', () => {
        const scan = layout.rows.find((r) => r.nodeType === 'Seq Scan')!;
        expect(scan.loops).toBe(3);
        expect(scan.actualRows).toBe(0);
        expect(scan.planRows).toBe(3);
    });

    it('reports 10x row estimate errors', () => {
        const plan: PlanNodeJson = {
            node_type: 'Seq Scan',
            plan_rows: 10,
            actual_rows: 5000,
            actual_loops: 2,
            inclusive_ms: 5,
            exclusive_ms: 5,
            children: [],
        };
        const row = layoutPlan(plan).rows[0]!;
        expect(row.misestimate).toEqual({ factor: 500, direction: 'under' });
    });
});

describe('layoutPlan without ANALYZE', () => {
    it('falls back to exclusive cost', () => {
        const explain = fixture('explain_noanalyze.json');
        const layout = layoutPlan(explain.plan, explain.findings);
        expect(isAnalyzed(explain.plan)).toBe(false);
        expect(layout.metric).toBe('cost');
        expect(layout.totalMs).toBeNull();
        const scan = layout.rows.find((r) => r.nodeType === 'Seq Scan')!;
        expect(scan.exclusiveMs).toBeNull();
        expect(scan.exclusiveCost).toBeCloseTo(13548.83);
        expect(layout.hottestId).toBe(scan.id);
        expect(scan.actualRows).toBeNull();
        expect(scan.misestimate).toBeNull();
    });

    it('accepts the older spelling (total_ms, rows, loops)', () => {
        const plan: PlanNodeJson = {
            node_type: 'Nested Loop',
            total_ms: 10,
            rows: 4,
            loops: 1,
            plan_rows: 4,
            children: [
                { node_type: 'Seq Scan', relation: 't', total_ms: 6, rows: 4, loops: 1, plan_rows: 4, children: [] },
                { node_type: 'Index Scan', index: 'i', relation: 'u', total_ms: 1, rows: 1, loops: 4, plan_rows: 1, children: [] },
            ],
        };
        const layout = layoutPlan(plan);
        expect(layout.analyzed).toBe(true);
        expect(layout.rows[0]!.exclusiveMs).toBe(3);
        expect(layout.rows[2]!.label).toBe('Index Scan using i on u');
        expect(layout.rows[2]!.actualRows).toBe(4);
    });

    it('survives empty and malformed input', () => {
        expect(layoutPlan(null).rows).toEqual([]);
        const odd = layoutPlan({ node_type: '', children: [null as unknown as PlanNodeJson] });
        expect(odd.rows).toHaveLength(1);
        expect(odd.rows[0]!.label).toBe('Node');
        expect(odd.rows[0]!.share).toBe(0);
    });

    it('handles a deep plan without recursion limits', () => {
        let node: PlanNodeJson = { node_type: 'Result', total_cost: 1, children: [] };
        for (let i = 0; i < 2000; i++) node = { node_type: 'Nested Loop', total_cost: i + 2, children: [node] };
        const layout = layoutPlan(node);
        expect(layout.rows).toHaveLength(2001);
        expect(layout.rows[0]!.descendantCount).toBe(2000);
    });
});

describe('sortFindings', () => {
    it('puts the most severe and costly first', () => {
        const f = (severity: Finding['severity'], impact_ms: number): Finding => ({
            rule: `${severity}${impact_ms}`,
            severity,
            node: 'n',
            relation: null,
            evidence: {},
            message: '',
            suggestion: '',
            impact_ms,
        });
        expect(sortFindings([f('low', 99), f('high', 1), f('high', 5), f('medium', 3)]).map((x) => x.rule)).toEqual([
            'high5',
            'high1',
            'medium3',
            'low99',
        ]);
    });
});
