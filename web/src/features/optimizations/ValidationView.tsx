import { Badge, verdictLabel } from '../../components/Badge';
import { CodeBlock } from '../../components/CodeBlock';
import { PlanDiffView } from '../../components/PlanDiffView';
import { PlanTree } from '../../components/PlanTree';
import { formatCount, formatMs, formatPct, formatSpeedup } from '../../lib/format';
import type { QueryValidation, Timing, Validation } from '../../lib/types';

function TimingCell({ t }: { t: Timing | null | undefined }) {
    if (!t) return <span className="muted">not measured</span>;
    return (
        <span>
            median {formatMs(t.median_ms)} · p95 {formatMs(t.p95_ms)}
            {t.p25_ms !== undefined && t.p75_ms !== undefined && (
                <span className="muted">
                    {' '}
                    · IQR {formatMs(t.p25_ms)}–{formatMs(t.p75_ms)}
                </span>
            )}
        </span>
    );
}

function QueryResult({ q, index }: { q: QueryValidation; index: number }) {
    return (
        <details open={index === 0} className="card" data-testid="validated-query">
            <summary>
                <Badge tone={q.verdict}>{verdictLabel(q.verdict)}</Badge>{' '}
                {q.speedup ? <span>{formatSpeedup(q.speedup)} · </span> : null}
                <span className="query-text">{q.query.length > 140 ? `${q.query.slice(0, 139)}…` : q.query}</span>
            </summary>
            <p>{q.reason}</p>
            <dl className="rec-meta">
                <div>
                    <dt>Before</dt>
                    <dd>
                        <TimingCell t={q.before} />
                    </dd>
                </div>
                <div>
                    <dt>After</dt>
                    <dd>
                        <TimingCell t={q.after} />
                    </dd>
                </div>
                {q.equivalent !== null && q.equivalent !== undefined && (
                    <div>
                        <dt>Same rows</dt>
                        <dd>{q.equivalent ? 'yes' : 'no'}</dd>
                    </div>
                )}
            </dl>
            {q.sql_after && q.sql_after !== q.sql_before && <CodeBlock code={q.sql_after} label="Rewritten statement" />}
            <h4>Plan diff</h4>
            <PlanDiffView diff={q.plan_diff} />
            <div className="side-by-side" data-testid="plans-side-by-side">
                <div>
                    <h4>Plan before</h4>
                    <PlanTree plan={q.plan_before} caption="Plan before the change" />
                </div>
                <div>
                    <h4>Plan after</h4>
                    {q.plan_after ? <PlanTree plan={q.plan_after} caption="Plan after the change" /> : <p className="muted">Not measured.</p>}
                </div>
            </div>
        </details>
    );
}

/// The result of validating a recommendation in a sandbox: verdict, timings, plans and the diff.
export function ValidationView({ v }: { v: Validation }) {
    const queries = Array.isArray(v.queries) ? v.queries : [];
    return (
        <div className="stack validation" data-testid="validation">
            <div>
                <h3 className="rec-title">
                    <Badge tone={v.verdict}>{verdictLabel(v.verdict)}</Badge>
                    {(v.verdict === 'improved' || v.verdict === 'regression') && <span>{formatSpeedup(v.speedup)}</span>}
                </h3>
                <p>{v.reason}</p>
                <dl className="rec-meta">
                    <div>
                        <dt>Before (median)</dt>
                        <dd>{formatMs(v.before?.median_ms)}</dd>
                    </div>
                    <div>
                        <dt>After (median)</dt>
                        <dd>{formatMs(v.after?.median_ms)}</dd>
                    </div>
                    <div>
                        <dt>Before p95 → after p95</dt>
                        <dd>
                            {formatMs(v.before?.p95_ms)} → {formatMs(v.after?.p95_ms)}
                        </dd>
                    </div>
                    {v.index_build_ms !== undefined && v.index_build_ms !== null && (
                        <div>
                            <dt>Index build</dt>
                            <dd>{formatMs(v.index_build_ms)}</dd>
                        </div>
                    )}
                    {v.equivalent !== null && v.equivalent !== undefined && (
                        <div>
                            <dt>Same rows</dt>
                            <dd>{v.equivalent ? 'yes' : 'no'}</dd>
                        </div>
                    )}
                </dl>
                {v.sandbox && (
                    <p className="muted">
                        Sandbox: {v.sandbox.description || v.sandbox.kind}
                        {(v.sandbox.tables ?? []).map((t) => (
                            <span key={t.table}>
                                {' '}
                                · {t.table}: {formatCount(t.copied_rows)} rows
                                {t.sample_percent < 100 ? ` (${formatPct(t.sample_percent)} sample)` : ''}
                            </span>
                        ))}
                    </p>
                )}
                {(v.sandbox?.notes ?? []).map((n, i) => (
                    <p key={i} className="muted">
                        {n}
                    </p>
                ))}
            </div>
            {queries.length === 0 ? <p className="muted">No statements were measured.</p> : queries.map((q, i) => <QueryResult key={i} q={q} index={i} />)}
        </div>
    );
}
