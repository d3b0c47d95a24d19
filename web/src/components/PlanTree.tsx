import { useMemo, useState } from 'react';
import { formatCount, formatMs, formatNumber, formatShare } from '../lib/format';
import { layoutPlan, visibleRows, type PlanRow } from '../lib/plan';
import type { Finding, PlanNodeJson } from '../lib/types';
import { Badge } from './Badge';

const GUIDE: Record<PlanRow['guides'][number], string> = { pipe: '│  ', blank: '   ', tee: '├─ ', end: '└─ ' };

function rowsText(r: PlanRow): string {
    if (r.actualRows === null) return r.planRows === null ? '—' : `${formatCount(r.planRows)} est`;
    return `${formatCount(r.actualRows)} / ${formatCount(r.planRows)}`;
}

/// A plan as a tree table, PEV2-style: each node's exclusive time (or cost without ANALYZE) with a
/// bar of its share of the whole; subtrees collapse; a node's conditions, buffers and findings
/// open under it.
export function PlanTree({ plan, findings = [], caption }: { plan: PlanNodeJson | null | undefined; findings?: Finding[]; caption: string }) {
    const layout = useMemo(() => layoutPlan(plan, findings), [plan, findings]);
    const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
    const [open, setOpen] = useState<Set<number>>(() => new Set());
    if (layout.rows.length === 0) return <p className="muted">No plan.</p>;
    const shown = visibleRows(layout.rows, collapsed);
    const toggle = (set: Set<number>, id: number) => {
        const next = new Set(set);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
    };
    const metricHeader = layout.metric === 'time' ? 'Exclusive time' : 'Exclusive cost';
    return (
        <div className="plan" data-testid="plan-tree">
            <p className="muted">
                {layout.metric === 'time'
                    ? `Total ${formatMs(layout.totalMs)}. Bars show each node's own time (children excluded) as a share of the whole.`
                    : `Estimated cost ${formatNumber(layout.totalCost)} (no ANALYZE: bars show each node's own share of the planner's cost).`}
            </p>
            <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
                <table>
                    <caption className="visually-hidden">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">Node</th>
                            <th scope="col" className="num">
                                {metricHeader}
                            </th>
                            <th scope="col">Share</th>
                            <th scope="col" className="num narrow-hidden">
                                {layout.analyzed ? 'Rows (actual / est)' : 'Rows (est)'}
                            </th>
                            {layout.analyzed && (
                                <th scope="col" className="num narrow-hidden">
                                    Loops
                                </th>
                            )}
                        </tr>
                    </thead>
                    <tbody>
                        {shown.map((r) => {
                            const isOpen = open.has(r.id);
                            const isCollapsed = collapsed.has(r.id);
                            const value = layout.metric === 'time' ? formatMs(r.exclusiveMs) : formatNumber(r.exclusiveCost);
                            return (
                                <tr key={r.id} className={r.id === layout.hottestId && r.share >= 0.2 ? 'hot-row' : undefined}>
                                    <td>
                                        <div className="node">
                                            <span className="guides" aria-hidden="true">
                                                {r.guides.map((g) => GUIDE[g]).join('')}
                                            </span>
                                            {r.childCount > 0 ? (
                                                <button
                                                    type="button"
                                                    className="toggle"
                                                    aria-expanded={!isCollapsed}
                                                    aria-label={`${isCollapsed ? 'Expand' : 'Collapse'} ${r.label} (${r.descendantCount} nodes below)`}
                                                    onClick={() => setCollapsed((s) => toggle(s, r.id))}
                                                >
                                                    {isCollapsed ? '+' : '−'}
                                                </button>
                                            ) : (
                                                <span className="toggle-spacer" />
                                            )}
                                            <div>
                                                <button
                                                    type="button"
                                                    className="link node-label"
                                                    aria-expanded={isOpen}
                                                    onClick={() => setOpen((s) => toggle(s, r.id))}
                                                >
                                                    {r.label}
                                                </button>{' '}
                                                {r.severity && (
                                                    <Badge tone={r.severity} label={`${r.findings.length} ${r.severity} finding${r.findings.length === 1 ? '' : 's'}`}>
                                                        {r.findings.length === 1 ? r.findings[0]!.rule : `${r.findings.length} findings`}
                                                    </Badge>
                                                )}{' '}
                                                {r.misestimate && (
                                                    <Badge tone="warn">
                                                        rows {r.misestimate.direction === 'under' ? 'under' : 'over'}estimated ×{formatCount(r.misestimate.factor)}
                                                    </Badge>
                                                )}
                                                {isOpen && (
                                                    <dl className="details">
                                                        {r.details.map(([k, v]) => (
                                                            <div key={k}>
                                                                <dt>{k}</dt>
                                                                <dd>{v}</dd>
                                                            </div>
                                                        ))}
                                                        {r.inclusiveMs !== null && (
                                                            <div>
                                                                <dt>Inclusive time</dt>
                                                                <dd>{formatMs(r.inclusiveMs)}</dd>
                                                            </div>
                                                        )}
                                                        {r.findings.map((f, i) => (
                                                            <div key={`f${i}`}>
                                                                <dt>{f.rule}</dt>
                                                                <dd>{f.message}</dd>
                                                            </div>
                                                        ))}
                                                    </dl>
                                                )}
                                            </div>
                                        </div>
                                    </td>
                                    <td className="num">{value}</td>
                                    <td>
                                        <span className="visually-hidden">{formatShare(r.share)}</span>
                                        <span className={`bar ${r.heat}`} aria-hidden="true" title={formatShare(r.share)}>
                                            <span style={{ width: `${r.barPct}%` }} />
                                        </span>
                                    </td>
                                    <td className="num narrow-hidden">{rowsText(r)}</td>
                                    {layout.analyzed && <td className="num narrow-hidden">{formatCount(r.loops)}</td>}
                                </tr>
                            );
                        })}
                    </tbody>
                </table>
            </div>
        </div>
    );
}
