import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { RequireTarget } from '../../components/RequireTarget';
import { ErrorState, Loading } from '../../components/States';
import { downloadText, exportFileName } from '../../lib/csv';
import { ellipsize, formatCount, formatDateTime, formatMs, formatShare } from '../../lib/format';
import { changeLabel, recommendationSummary, reportPdf, reportSections, type ReportData } from '../../lib/report';
import type { Target } from '../../lib/types';

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
    const state = useAsync<ReportData & { generated: Date }>(async (signal) => {
        const failures: string[] = [];
        const now = Date.now();
        const [overview, statements, recommendations, health, audit] = await Promise.all([
            settle(api.overview(target.id, signal), 'overview', failures),
            settle(api.statements(target.id, { from: now - 24 * 3_600_000, to: now, limit: 10 }, signal), 'statements', failures),
            settle(api.recommendations(target.id, signal), 'recommendations', failures),
            settle(api.indexHealth(target.id, signal), 'index health', failures),
            settle(api.audit(200, signal), 'audit log', failures),
        ]);
        return { overview, statements, recommendations: recommendations ?? [], health, audit: audit ?? [], failures, generated: new Date() };
    }, [api, target.id]);
    if (state.error) return <ErrorState error={state.error} onRetry={state.reload} what="the report" />;
    if (!state.data) return <Loading label="Gathering the report…" />;
    const d = state.data;
    const { generated } = d;
    const { statements, statementsTotalMs, warnings, recommendations: recs, findings, changes } = reportSections(d);
    const downloadPdf = () =>
        downloadText(reportPdf(target, d, generated), exportFileName(`report-${target.name}`, 'pdf', generated), 'application/pdf');
    return (
        <article className="report" data-testid="report">
            <div className="toolbar no-print report-toolbar">
                <Link to="/exports">← Exports</Link>
                <button type="button" className="primary" onClick={downloadPdf}>
                    Download PDF
                </button>
                <button type="button" onClick={() => window.print()}>
                    Print
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
                            The {statements.length} statements that took the most time in the last 24 hours ({formatMs(statementsTotalMs)} in all):
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
                                <strong>{r.title || r.id}</strong> — {recommendationSummary(r)}
                                <pre className="code-block">{r.sql}</pre>
                            </li>
                        ))}
                    </ol>
                )}
                {findings.length > 0 && (
                    <>
                        <h3>Index health</h3>
                        <ul>
                            {findings.map((f, i) => (
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
                                        {changeLabel(e)}
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
