import { useMemo } from 'react';
import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { RequireTarget } from '../../components/RequireTarget';
import { ErrorState, Loading } from '../../components/States';
import { ellipsize, formatBytes, formatCount, formatDateTime, formatMs, formatPct, formatShare, formatSpeedup } from '../../lib/format';
import { rankRecommendations, savedMs, savedSharePct, sortChecks } from '../../lib/recommendations';
import type { AuditEvent, IndexHealthResponse, OverviewResponse, Recommendation, StatementsResponse, Target } from '../../lib/types';

interface ReportData {
    overview: OverviewResponse | null;
    statements: StatementsResponse | null;
    recommendations: Recommendation[];
    health: IndexHealthResponse | null;
    audit: AuditEvent[];
    failures: string[];
}

async function settle<T>(p: Promise<T>, what: string, failures: string[]): Promise<T | null> {
    try {
        return await p;
    } catch {
        failures.push(what);
        return null;
    }
}

function Report({ target }: { target: Target }) {
    useTitle(`Report · ${target.name}`);
    const { api } = useSession();
    const state = useAsync<ReportData>(async (signal) => {
        const failures: string[] = [];
        const now = Date.now();
        const [overview, statements, recommendations, health, audit] = await Promise.all([
            settle(api.overview(target.id, signal), 'overview', failures),
            settle(api.statements(target.id, { from: now - 24 * 3_600_000, to: now, limit: 10 }, signal), 'statements', failures),
            settle(api.recommendations(target.id, signal), 'recommendations', failures),
            settle(api.indexHealth(target.id, signal), 'index health', failures),
            settle(api.audit(200, signal), 'audit log', failures),
        ]);
        return { overview, statements, recommendations: recommendations ?? [], health, audit: audit ?? [], failures };
    }, [api, target.id]);
    const generated = useMemo(() => new Date(), [state.data]);
    if (state.error) return <ErrorState error={state.error} onRetry={state.reload} what="the report" />;
    if (!state.data) return <Loading label="Gathering the report…" />;
    const d = state.data;
    const recs = rankRecommendations(d.recommendations);
    const changes = d.audit.filter((e) => e.action === 'apply' || e.action === 'rollback');
    const warnings = sortChecks(d.overview?.checks ?? []).filter((c) => c.status !== 'pass');
    const statements = d.statements?.statements ?? [];
    return (
        <article className="report" data-testid="report">
            <div className="toolbar no-print report-toolbar">
                <Link to="/exports">← Exports</Link>
                <button type="button" className="primary" onClick={() => window.print()}>
                    Print or save as PDF
                </button>
            </div>
            <header>
                <h1>OptiSchema report: {target.name}</h1>
                <p className="report-meta">
                    {target.dsn_display} · generated {formatDateTime(generated)} · query time in the last hour{' '}
                    {formatMs(d.overview?.total_ms_last_hour ?? null)}
                </p>
                {d.failures.length > 0 && <p className="inline-error">Could not load: {d.failures.join(', ')}. Those sections are empty.</p>}
            </header>

            <section aria-labelledby="r-slow">
                <h2 id="r-slow">What is slow</h2>
                {statements.length === 0 ? (
                    <p>No statements were recorded in the last 24 hours.</p>
                ) : (
                    <>
                        <p>
                            The {statements.length} statements that took the most time in the last 24 hours ({formatMs(d.statements?.total_ms)} in all):
                        </p>
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">Statement</th>
                                    <th scope="col" className="num">
                                        Total
                                    </th>
                                    <th scope="col" className="num">
                                        Share
                                    </th>
                                    <th scope="col" className="num">
                                        Calls
                                    </th>
                                    <th scope="col" className="num">
                                        Mean
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {statements.map((s) => (
                                    <tr key={s.fingerprint}>
                                        <td className="query-text">{ellipsize(s.query, 160)}</td>
                                        <td className="num">{formatMs(s.total_ms)}</td>
                                        <td className="num">{formatShare(s.share)}</td>
                                        <td className="num">{formatCount(s.calls)}</td>
                                        <td className="num">{formatMs(s.mean_ms)}</td>
                                    </tr>
                                ))}
                            </tbody>
                        </table>
                    </>
                )}
                {warnings.length > 0 && (
                    <>
                        <h3>Health checks that need attention</h3>
                        <ul>
                            {warnings.map((c, i) => (
                                <li key={i}>
                                    <strong>{c.name}</strong>: {c.message}
                                    {c.fix ? <pre className="code-block">{c.fix}</pre> : null}
                                </li>
                            ))}
                        </ul>
                    </>
                )}
            </section>

            <section aria-labelledby="r-do">
                <h2 id="r-do">What to do</h2>
                {recs.length === 0 ? (
                    <p>No recommendations at the moment.</p>
                ) : (
                    <ol>
                        {recs.map((r) => (
                            <li key={r.id} className="report-rec">
                                <strong>{r.title || r.id}</strong> — projected saving {formatMs(savedMs(r))}
                                {savedSharePct(r) !== null ? ` (${formatPct(savedSharePct(r))} of the workload)` : ''}, size{' '}
                                {formatBytes(r.evidence?.estimated_size_bytes)};{' '}
                                {r.validation
                                    ? `validated: ${r.validation.verdict.replace('_', ' ')}${r.validation.verdict === 'improved' ? ` (${formatSpeedup(r.validation.speedup)})` : ''}`
                                    : 'not validated yet'}
                                .<pre className="code-block">{r.sql}</pre>
                            </li>
                        ))}
                    </ol>
                )}
                {(d.health?.findings ?? []).length > 0 && (
                    <>
                        <h3>Index health</h3>
                        <ul>
                            {(d.health?.findings ?? []).map((f, i) => (
                                <li key={i}>
                                    [{f.severity}] {f.object}: {f.message} <code>{f.fix_sql}</code>
                                </li>
                            ))}
                        </ul>
                    </>
                )}
            </section>

            <section aria-labelledby="r-done">
                <h2 id="r-done">What was applied</h2>
                {changes.length === 0 ? (
                    <p>Nothing has been applied through OptiSchema.</p>
                ) : (
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">When</th>
                                <th scope="col">Action</th>
                                <th scope="col">By</th>
                                <th scope="col">Outcome</th>
                                <th scope="col">SQL</th>
                            </tr>
                        </thead>
                        <tbody>
                            {changes.map((e) => (
                                <tr key={e.id}>
                                    <td className="nowrap">{formatDateTime(e.at)}</td>
                                    <td>
                                        {e.action}
                                        {e.related_id ? ` of #${e.related_id}` : ` #${e.id}`}
                                    </td>
                                    <td>{e.actor}</td>
                                    <td>{e.outcome}</td>
                                    <td className="query-text">{e.sql}</td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                )}
            </section>
        </article>
    );
}

export default function ReportPage() {
    return <RequireTarget>{(t) => <Report key={String(t.id)} target={t} />}</RequireTarget>;
}
