// Plan tree layout, PEV2-style: the plan flattened into rows (pre-order) with depth, tree guides,
// exclusive time (or exclusive cost without ANALYZE), its share of the whole and a bar width,
// row-estimate errors and the findings attached to each node. Pure.

import type { Finding, PlanNodeJson, Severity } from './types';
import { toNumber } from './format';

export type PlanMetric = 'time' | 'cost';

export interface PlanRow {
    id: number;
    /// The server's node id (findings refer to it); the pre-order position when the server sent none.
    nodeId: number;
    parentId: number | null;
    depth: number;
    /// Tree guides before the label, one entry per ancestor level: 'pipe' (│), 'blank', then the
    /// branch of this node: 'tee' (├─) or 'end' (└─). Empty for the root.
    guides: ('pipe' | 'blank' | 'tee' | 'end')[];
    label: string;
    nodeType: string;
    relation: string | null;
    index: string | null;
    childCount: number;
    descendantCount: number;
    inclusiveMs: number | null;
    exclusiveMs: number | null;
    totalCost: number | null;
    exclusiveCost: number | null;
    /// Exclusive time (or cost) as a fraction of the plan's total, 0..1.
    share: number;
    /// Width of the bar, 0..100; nodes with any share get at least 0.5 so they stay visible.
    barPct: number;
    heat: 'hot' | 'warm' | 'cool';
    /// Total rows produced over all loops (actual), and the planner's estimate for the same.
    actualRows: number | null;
    planRows: number | null;
    loops: number | null;
    /// How far the row estimate was off when it was off by 10× or more.
    misestimate: { factor: number; direction: 'under' | 'over' } | null;
    details: [string, string][];
    findings: Finding[];
    severity: Severity | null;
}

export interface PlanLayout {
    rows: PlanRow[];
    metric: PlanMetric;
    analyzed: boolean;
    totalMs: number | null;
    totalCost: number | null;
    /// The id of the node with the largest exclusive share, or null for an empty plan.
    hottestId: number | null;
}

const SEVERITY_RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1 };

export function severityRank(s: Severity | null | undefined): number {
    return s ? (SEVERITY_RANK[s] ?? 0) : 0;
}

function num(v: unknown): number | null {
    return toNumber(v);
}

/// Inclusive time in ms from either spelling (inclusive_ms, or the older total_ms).
export function nodeInclusiveMs(n: PlanNodeJson): number | null {
    return num(n.inclusive_ms) ?? num(n.total_ms);
}

/// Actual rows per loop from either spelling.
export function nodeActualRows(n: PlanNodeJson): number | null {
    return num(n.actual_rows) ?? num(n.rows);
}

export function nodeLoops(n: PlanNodeJson): number | null {
    return num(n.actual_loops) ?? num(n.loops);
}

/// True when the plan carries real times (EXPLAIN ANALYZE).
export function isAnalyzed(root: PlanNodeJson | null | undefined): boolean {
    if (!root) return false;
    return nodeInclusiveMs(root) !== null || num(root.exclusive_ms) !== null;
}

function label(n: PlanNodeJson): string {
    if (n.label && n.label.trim() !== '') return n.label;
    let text = n.node_type || 'Node';
    if (n.index) text += ` using ${n.index}`;
    if (n.relation) text += ` on ${n.relation}`;
    return text;
}

function details(n: PlanNodeJson): [string, string][] {
    const out: [string, string][] = [];
    const conds: [keyof PlanNodeJson, string][] = [
        ['index_cond', 'Index Cond'],
        ['recheck_cond', 'Recheck Cond'],
        ['hash_cond', 'Hash Cond'],
        ['merge_cond', 'Merge Cond'],
        ['join_filter', 'Join Filter'],
        ['filter', 'Filter'],
    ];
    for (const [key, name] of conds) {
        const v = n[key];
        if (typeof v === 'string' && v !== '') out.push([name, v]);
    }
    const removed = num(n.rows_removed_by_filter);
    if (removed !== null && removed > 0) out.push(['Rows Removed by Filter', removed.toLocaleString('en-US')]);
    if (n.buffers) {
        const b = n.buffers;
        const parts: string[] = [];
        if (num(b.shared_hit)) parts.push(`hit ${Number(b.shared_hit).toLocaleString('en-US')}`);
        if (num(b.shared_read)) parts.push(`read ${Number(b.shared_read).toLocaleString('en-US')}`);
        if (num(b.temp_read)) parts.push(`temp read ${Number(b.temp_read).toLocaleString('en-US')}`);
        if (num(b.temp_written)) parts.push(`temp written ${Number(b.temp_written).toLocaleString('en-US')}`);
        if (parts.length) out.push(['Buffers', parts.join(', ')]);
    }
    const startup = num(n.startup_cost);
    const total = num(n.total_cost);
    if (total !== null) out.push(['Cost', `${startup !== null ? `${startup.toFixed(2)}..` : ''}${total.toFixed(2)}`]);
    return out;
}

interface Walk {
    node: PlanNodeJson;
    parentId: number | null;
    depth: number;
    guides: PlanRow['guides'];
}

/// Lays out a plan tree. `findings` are attached to nodes by node_id, else by label.
export function layoutPlan(root: PlanNodeJson | null | undefined, findings: Finding[] = []): PlanLayout {
    if (!root || typeof root !== 'object') {
        return { rows: [], metric: 'cost', analyzed: false, totalMs: null, totalCost: null, hottestId: null };
    }
    const analyzed = isAnalyzed(root);
    const metric: PlanMetric = analyzed ? 'time' : 'cost';
    const rows: PlanRow[] = [];
    // Pre-order walk with an explicit stack: plans can be deep (hundreds of nested loops).
    const stack: Walk[] = [{ node: root, parentId: null, depth: 0, guides: [] }];
    let nextId = 0;
    const descendantsOf: number[] = [];
    const parentOf: (number | null)[] = [];
    while (stack.length) {
        const w = stack.pop()!;
        const n = w.node;
        const id = nextId++;
        const children = Array.isArray(n.children) ? n.children : [];
        const inclusiveMs = nodeInclusiveMs(n);
        let exclusiveMs = num(n.exclusive_ms);
        if (exclusiveMs === null && inclusiveMs !== null) {
            const childMs = children.reduce((s, c) => s + (nodeInclusiveMs(c) ?? 0), 0);
            exclusiveMs = Math.max(0, inclusiveMs - childMs);
        }
        const totalCost = num(n.total_cost);
        let exclusiveCost: number | null = null;
        if (totalCost !== null) {
            const childCost = children.reduce((s, c) => s + (num(c.total_cost) ?? 0), 0);
            exclusiveCost = Math.max(0, totalCost - childCost);
        }
        const loops = nodeLoops(n);
        const perLoop = nodeActualRows(n);
        const actualRows = analyzed && perLoop !== null ? perLoop * (loops ?? 1) : null;
        const planRowsPerLoop = num(n.plan_rows);
        const planRows = planRowsPerLoop !== null ? planRowsPerLoop * (analyzed ? (loops ?? 1) : 1) : null;
        let misestimate: PlanRow['misestimate'] = null;
        if (actualRows !== null && planRows !== null) {
            const a = Math.max(actualRows, 1);
            const p = Math.max(planRows, 1);
            const factor = a > p ? a / p : p / a;
            if (factor >= 10) misestimate = { factor, direction: a > p ? 'under' : 'over' };
        }
        rows.push({
            id,
            nodeId: typeof n.id === 'number' ? n.id : id,
            parentId: w.parentId,
            depth: w.depth,
            guides: w.guides,
            label: label(n),
            nodeType: n.node_type || 'Node',
            relation: n.relation ?? null,
            index: n.index ?? null,
            childCount: children.length,
            descendantCount: 0,
            inclusiveMs,
            exclusiveMs,
            totalCost,
            exclusiveCost,
            share: 0,
            barPct: 0,
            heat: 'cool',
            actualRows,
            planRows,
            loops,
            misestimate,
            details: details(n),
            findings: [],
            severity: null,
        });
        descendantsOf.push(0);
        parentOf.push(w.parentId);
        // Guides for the children: this node's own branch becomes a pipe (more siblings follow) or blank.
        const inherited: PlanRow['guides'] = w.guides.map((g) => (g === 'tee' ? 'pipe' : g === 'end' ? 'blank' : g));
        for (let i = children.length - 1; i >= 0; i--) {
            const child = children[i];
            if (!child || typeof child !== 'object') continue;
            stack.push({
                node: child,
                parentId: id,
                depth: w.depth + 1,
                guides: [...inherited, i === children.length - 1 ? 'end' : 'tee'],
            });
        }
    }
    for (let i = rows.length - 1; i >= 0; i--) {
        const p = parentOf[i];
        if (p !== null && p !== undefined) descendantsOf[p] = (descendantsOf[p] ?? 0) + (descendantsOf[i] ?? 0) + 1;
    }
    const metricOf = (r: PlanRow) => (metric === 'time' ? r.exclusiveMs : r.exclusiveCost) ?? 0;
    const sum = rows.reduce((s, r) => s + metricOf(r), 0);
    const rootRow = rows[0]!;
    const rootTotal = metric === 'time' ? (rootRow.inclusiveMs ?? 0) : (rootRow.totalCost ?? 0);
    const whole = Math.max(sum, rootTotal);
    let hottestId: number | null = null;
    let hottest = -1;
    for (const r of rows) {
        r.descendantCount = descendantsOf[r.id] ?? 0;
        const m = metricOf(r);
        r.share = whole > 0 ? Math.min(1, m / whole) : 0;
        r.barPct = r.share > 0 ? Math.max(0.5, r.share * 100) : 0;
        r.heat = r.share >= 0.5 ? 'hot' : r.share >= 0.2 ? 'warm' : 'cool';
        if (m > hottest) {
            hottest = m;
            hottestId = r.id;
        }
    }
    attachFindings(rows, findings);
    return {
        rows,
        metric,
        analyzed,
        totalMs: analyzed ? (rootRow.inclusiveMs ?? sum) : null,
        totalCost: rootRow.totalCost,
        hottestId,
    };
}

function attachFindings(rows: PlanRow[], findings: Finding[]): void {
    for (const f of findings) {
        if (!f || typeof f !== 'object') continue;
        let row: PlanRow | undefined;
        if (typeof f.node_id === 'number') row = rows.find((r) => r.nodeId === f.node_id);
        if (!row && f.node) row = rows.find((r) => r.label === f.node);
        if (!row) continue;
        row.findings.push(f);
        if (severityRank(f.severity) > severityRank(row.severity)) row.severity = f.severity;
    }
}

/// The rows left visible when the nodes in `collapsed` hide their descendants.
export function visibleRows(rows: PlanRow[], collapsed: ReadonlySet<number>): PlanRow[] {
    if (collapsed.size === 0) return rows;
    const out: PlanRow[] = [];
    let skipUntil = -1;
    for (const r of rows) {
        if (r.id <= skipUntil) continue;
        out.push(r);
        if (collapsed.has(r.id) && r.descendantCount > 0) skipUntil = r.id + r.descendantCount;
    }
    return out;
}

/// Findings sorted most severe first, then by the time they cost.
export function sortFindings(findings: Finding[]): Finding[] {
    return [...findings].sort(
        (a, b) => severityRank(b.severity) - severityRank(a.severity) || (b.impact_ms ?? 0) - (a.impact_ms ?? 0),
    );
}
