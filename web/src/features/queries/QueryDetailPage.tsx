import { useCallback, useEffect, useMemo, useState } from 'react';
import { useAiAvailability, useAiJob } from '../../app/ai';
import { Link, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { AiAssistant } from '../../components/AskAi';
import { Badge } from '../../components/Badge';
import { CodeBlock } from '../../components/CodeBlock';
import { CopyButton } from '../../components/CopyButton';
import { PlanTree } from '../../components/PlanTree';
import { RangeSelect } from '../../components/RangeSelect';
import { RequireTarget } from '../../components/RequireTarget';
import { Async, Empty, ErrorState, Loading } from '../../components/States';
import { TimeChart, type ChartSeries } from '../../components/TimeChart';
import { hasRole } from '../../lib/api';
import { presetRange } from '../../lib/compare';
import { displayText, formatCount, formatMs, formatNumber, formatPct } from '../../lib/format';
import { sortFindings } from '../../lib/plan';
import { buildPath } from '../../lib/router';
import { historySeries } from '../../lib/series';
import type { ExplainResponse, Finding, Target } from '../../lib/types';

const HISTORY_SERIES: ChartSeries[] = [
    { label: 'mean time', unit: 'ms', color: 1 },
    { label: 'calls', unit: 'count', color: 2 },
];

function FindingCard({ f }: { f: Finding }) {
    const evidence = Object.entries(f.evidence ?? {});
    return (
        <article className={`finding ${f.severity}`} data-testid="finding">
            <h3 className="rec-title">
                <Badge tone={f.severity}>{f.severity}</Badge>
                <span>{f.rule}</span>
                <span className="muted">on {f.node}</span>
            </h3>
            <p>{f.message}</p>
            {evidence.length > 0 && (
                <p className="muted">
                    {evidence.map(([k, v]) => `${k.replace(/_/g, ' ')}: ${displayText(v)}`).join(' · ')}
                </p>
            )}
            {f.suggestion && (
                <div className="code">
                    <div className="code-head">
                        <span>Fix</span>
                        <CopyButton text={f.suggestion} what={`fix for ${f.rule}`} />
                    </div>
                    <pre>
                        <code>{f.suggestion}</code>
                    </pre>
                </div>
            )}
        </article>
    );
}

function ExplainSection({ target, fingerprint }: { target: Target; fingerprint: string }) {
    const { api, user } = useSession();
    // EXPLAIN ANALYZE runs the statement on the target: the server allows it to operators and admins.
    const canAnalyze = hasRole(user?.role, 'operator');
    const [result, setResult] = useState<{ analyze: boolean; data?: ExplainResponse; error?: unknown } | null>(null);
    const [busy, setBusy] = useState<boolean | null>(null);
    const run = useCallback(
        async (analyze: boolean) => {
            setBusy(analyze);
            try {
                const data = await api.explain(target.id, fingerprint, analyze);
                setResult({ analyze, data });
            } catch (error) {
                setResult({ analyze, error });
            } finally {
                setBusy(null);
            }
        },
        [api, target.id, fingerprint],
    );
    // The estimated plan costs nothing to get: show it straight away.
    useEffect(() => {
        void run(false);
    }, [run]);

    const data = result?.data;
    const findings = useMemo(() => sortFindings(Array.isArray(data?.findings) ? data!.findings : []), [data]);
    return (
        <>
            <section className="card" aria-labelledby="plan-title">
                <div className="card-header">
                    <h2 id="plan-title">Plan</h2>
                    <div className="toolbar">
                        <button type="button" onClick={() => void run(false)} disabled={busy !== null}>
                            {busy === false ? <span className="spinner" aria-hidden="true" /> : null}
                            Explain
                        </button>
                        {canAnalyze && (
                            <button
                                type="button"
                                onClick={() => void run(true)}
                                disabled={busy !== null}
                                title="Runs the sample for real inside a transaction that is rolled back"
                            >
                                {busy === true ? <span className="spinner" aria-hidden="true" /> : null}
                                Explain analyze
                            </button>
                        )}
                    </div>
                </div>
                {busy !== null && !data && <Loading label={busy ? 'Running EXPLAIN ANALYZE…' : 'Explaining…'} />}
                {result?.error ? <ErrorState error={result.error} what="the plan" onRetry={() => void run(result.analyze)} /> : null}
                {data && (
                    <>
                        <p className="muted">
                            {data.analyzed ?? result?.analyze
                                ? `Executed in ${formatMs(data.execution_ms)} (planning ${formatMs(data.planning_ms)}), rolled back.`
                                : `Estimated plan (no execution).${canAnalyze ? ' Use Explain analyze for real times.' : ''}`}{' '}
                            Method: {data.method || '—'}.
                        </p>
                        <PlanTree plan={data.plan} findings={findings} caption="Plan tree with exclusive time per node" />
                    </>
                )}
            </section>

            {data && (
                <section className="card" aria-labelledby="sample-title">
                    <h2 id="sample-title">Runnable sample</h2>
                    <p className="muted">
                        The normalized statement with typical values for its parameters, chosen from the column statistics.
                    </p>
                    <CodeBlock code={data.sql} label="SQL" copyWhat="runnable sample" />
                    {Array.isArray(data.params) && data.params.length > 0 && (
                        <div className="table-wrap" tabIndex={0} role="region" aria-label="Parameter values">
                            <table>
                                <caption className="visually-hidden">Parameter values</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">Parameter</th>
                                        <th scope="col">Type</th>
                                        <th scope="col">Value</th>
                                        <th scope="col">Why this value</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {data.params.map((p) => (
                                        <tr key={p.number}>
                                            <td className="mono">${p.number}</td>
                                            <td className="mono">{displayText(p.type)}</td>
                                            <td className="mono">{displayText(p.value)}</td>
                                            <td>{displayText(p.source)}</td>
                                        </tr>
                                    ))}
                                </tbody>
                            </table>
                        </div>
                    )}
                </section>
            )}

            {data && (
                <section className="card" aria-labelledby="findings-title">
                    <h2 id="findings-title">Findings</h2>
                    {findings.length === 0 ? (
                        <p className="muted">No problems found in this plan.</p>
                    ) : (
                        findings.map((f, i) => <FindingCard key={`${f.rule}-${i}`} f={f} />)
                    )}
                </section>
            )}
        </>
    );
}

function AiSection({ target, fingerprint }: { target: Target; fingerprint: string }) {
    const { api } = useSession();
    const availability = useAiAvailability();
    const ai = useAiJob(`statement:${target.id}:${fingerprint}`, (refresh) => api.askAiStatement(target.id, fingerprint, refresh));
    return (
        <section className="card" aria-labelledby="ai-title" data-testid="ai-assistant">
            <h2 id="ai-title">AI assistant</h2>
            <AiAssistant ai={ai} availability={availability} subject="this query" />
        </section>
    );
}

function QueryDetail({ target, fingerprint }: { target: Target; fingerprint: string }) {
    useTitle('Query');
    const { api } = useSession();
    const { route, navigate } = useRouter();
    const range = route.query.get('range') ?? '24h';
    const timeRange = useMemo(() => presetRange(range, Date.now()), [range]);
    const state = useAsync((signal) => api.statement(target.id, fingerprint, timeRange, signal), [api, target.id, fingerprint, timeRange]);
    const series = useMemo(() => historySeries(state.data?.history ?? []), [state.data]);
    const t = state.data?.totals;
    return (
        <>
            <div className="page-header">
                <div>
                    <p>
                        <Link to="/queries">← Queries</Link>
                    </p>
                    <h1>
                        Query <span className="mono">{fingerprint}</span>
                    </h1>
                </div>
                <RangeSelect value={range} onChange={(k) => navigate(buildPath(`/queries/${encodeURIComponent(fingerprint)}`, { range: k }), { replace: true })} />
            </div>
            <Async state={state} what="this statement">
                {(d) => (
                    <>
                        <section className="stats" aria-label="Totals in the range">
                            <div className="stat">
                                <div className="stat-label">Total time</div>
                                <div className="stat-value">{formatMs(t?.total_ms)}</div>
                                <div className="stat-sub">{formatCount(t?.calls)} calls in the range</div>
                            </div>
                            <div className="stat">
                                <div className="stat-label">Mean</div>
                                <div className="stat-value">{formatMs(t?.mean_ms)}</div>
                                <div className="stat-sub">
                                    {t && t.calls > 0 ? `${formatNumber(t.rows / t.calls)} rows per call` : '—'}
                                </div>
                            </div>
                            <div className="stat">
                                <div className="stat-label">Calls</div>
                                <div className="stat-value">{formatCount(t?.calls)}</div>
                                <div className="stat-sub">{formatCount(t?.rows)} rows</div>
                            </div>
                            <div className="stat">
                                <div className="stat-label">Cache hit</div>
                                <div className="stat-value">{formatPct(t?.cache_hit_pct)}</div>
                                <div className="stat-sub">
                                    {formatCount(t?.shared_blks_read)} blocks read · {formatCount(t?.temp_blks_written)} temp written
                                </div>
                            </div>
                        </section>
                        <section className="card" aria-labelledby="normalized-title">
                            <h2 id="normalized-title">Normalized query</h2>
                            <CodeBlock code={d.query || t?.query} label="SQL" copyWhat="normalized query" />
                        </section>
                        <section className="card" aria-labelledby="history-title">
                            <h2 id="history-title">History</h2>
                            {Array.isArray(d.history) && d.history.length > 0 ? (
                                <TimeChart data={series} series={HISTORY_SERIES} title="Mean time and calls per collection" range={timeRange} />
                            ) : (
                                <Empty title="No collections of this statement in the range." />
                            )}
                        </section>
                    </>
                )}
            </Async>
            <ExplainSection target={target} fingerprint={fingerprint} />
            <AiSection target={target} fingerprint={fingerprint} />
        </>
    );
}

export default function QueryDetailPage() {
    const { route } = useRouter();
    const fingerprint = route.params.fingerprint ?? '';
    return <RequireTarget>{(t) => <QueryDetail key={`${t.id}:${fingerprint}`} target={t} fingerprint={fingerprint} />}</RequireTarget>;
}
