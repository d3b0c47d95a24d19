import { useMemo } from 'react';
import { formatCount, formatMs, formatSpeedup } from '../lib/format';
import { presentPlanDiff } from '../lib/planDiff';
import type { PlanDiffJson } from '../lib/types';
import { Badge } from './Badge';

/// The plan diff of a validation: a headline, then each node with its change and before → after time.
export function PlanDiffView({ diff }: { diff: PlanDiffJson | null | undefined }) {
    const d = useMemo(() => presentPlanDiff(diff), [diff]);
    if (!d) return <p className="muted">No plan diff (the statement was not measured after the change).</p>;
    return (
        <div data-testid="plan-diff">
            <p>
                <strong className={`tone-${d.tone}`}>{d.headline}</strong>
            </p>
            {d.joinOrderChanged && (
                <p className="muted">
                    Scan order: {d.scanOrderBefore.join(' → ') || '—'} became {d.scanOrderAfter.join(' → ') || '—'}
                </p>
            )}
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Plan diff, node by node">
                <table>
                    <caption className="visually-hidden">Plan diff, node by node</caption>
                    <thead>
                        <tr>
                            <th scope="col">Change</th>
                            <th scope="col">Node</th>
                            <th scope="col" className="num">
                                Before
                            </th>
                            <th scope="col" className="num">
                                After
                            </th>
                            <th scope="col" className="num narrow-hidden">
                                Rows
                            </th>
                            <th scope="col" className="num narrow-hidden">
                                Blocks
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.rows.map((r) => (
                            <tr key={r.key}>
                                <td>
                                    <Badge tone={r.change === 'same' ? null : r.change}>{r.change}</Badge>
                                </td>
                                <td className="query-text">{r.label}</td>
                                <td className="num">{formatMs(r.beforeMs)}</td>
                                <td className="num">
                                    <span className={`tone-${r.tone}`}>{formatMs(r.afterMs)}</span>
                                    {r.ratio !== null && r.tone !== 'neutral' && (
                                        <div className="muted">{formatSpeedup(r.ratio)}</div>
                                    )}
                                </td>
                                <td className="num narrow-hidden">
                                    {formatCount(r.beforeRows)} → {formatCount(r.afterRows)}
                                </td>
                                <td className="num narrow-hidden">
                                    {formatCount(r.beforeBlocks)} → {formatCount(r.afterBlocks)}
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            </div>
        </div>
    );
}
