import { useMemo, useState } from 'react';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { Badge } from '../../components/Badge';
import { CodeBlock } from '../../components/CodeBlock';
import { RequireTarget } from '../../components/RequireTarget';
import { Async, Empty } from '../../components/States';
import { downloadText, exportFileName, tableToCsv } from '../../lib/csv';
import { formatBytes, formatCount, formatSeconds } from '../../lib/format';
import { severityRank } from '../../lib/plan';
import { INDEX_HEALTH_COLUMNS } from '../../lib/exports';
import type { Severity, Target } from '../../lib/types';


const CHECK_NAMES: Record<string, string> = {
    invalid: 'Invalid index',
    invalid_index: 'Invalid index',
    duplicate: 'Duplicate index',
    duplicate_index: 'Duplicate index',
    redundant: 'Redundant index',
    redundant_index: 'Redundant index',
    unused: 'Unused index',
    unused_index: 'Unused index',
    unindexed_foreign_key: 'Foreign key without index',
    bloat: 'Bloated index',
    btree_bloat: 'Bloated index',
};

function checkName(check: string): string {
    return CHECK_NAMES[check] ?? check.replace(/_/g, ' ');
}

function IndexHealth({ target }: { target: Target }) {
    useTitle('Index health');
    const { api } = useSession();
    const state = useAsync((signal) => api.indexHealth(target.id, signal), [api, target.id]);
    const [severity, setSeverity] = useState<'all' | Severity>('all');
    const findings = useMemo(
        () =>
            [...(state.data?.findings ?? [])]
                .filter((f) => severity === 'all' || f.severity === severity)
                .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (b.wasted_bytes ?? 0) - (a.wasted_bytes ?? 0)),
        [state.data, severity],
    );
    const wasted = (state.data?.findings ?? []).reduce((s, f) => s + (f.wasted_bytes || 0), 0);
    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Index health</h1>
                    <p>Invalid, duplicate, redundant and unused indexes, and foreign keys without one, on {target.name}.</p>
                </div>
                <div className="toolbar">
                    <label htmlFor="severity" className="visually-hidden">
                        Severity
                    </label>
                    <select id="severity" value={severity} onChange={(e) => setSeverity(e.target.value as 'all' | Severity)}>
                        <option value="all">All severities</option>
                        <option value="high">High</option>
                        <option value="medium">Medium</option>
                        <option value="low">Low</option>
                    </select>
                    <button
                        type="button"
                        disabled={findings.length === 0}
                        onClick={() => downloadText(tableToCsv(INDEX_HEALTH_COLUMNS, findings), exportFileName(`index-health-${target.name}`, 'csv'), 'text/csv;charset=utf-8')}
                    >
                        Export CSV
                    </button>
                    <button type="button" onClick={state.reload} disabled={state.loading}>
                        Check again
                    </button>
                </div>
            </div>
            <Async state={state} what="index health">
                {(d) => (
                    <>
                        <section className="stats" aria-label="Summary">
                            <div className="stat">
                                <div className="stat-label">Findings</div>
                                <div className="stat-value">{formatCount(d.findings?.length ?? 0)}</div>
                            </div>
                            <div className="stat">
                                <div className="stat-label">Indexes / tables</div>
                                <div className="stat-value">
                                    {formatCount(d.summary?.indexes)} / {formatCount(d.summary?.tables)}
                                </div>
                            </div>
                            <div className="stat">
                                <div className="stat-label">Space to reclaim</div>
                                <div className="stat-value">{formatBytes(wasted)}</div>
                            </div>
                            <div className="stat">
                                <div className="stat-label">Statistics age</div>
                                <div className="stat-value">{d.summary?.stats_age_s != null ? formatSeconds(d.summary.stats_age_s) : 'never reset'}</div>
                                <div className="stat-sub">"unused" needs a long enough window</div>
                            </div>
                        </section>
                        {findings.length === 0 ? (
                            <Empty title={severity === 'all' ? 'No index problems found.' : `No ${severity} findings.`} />
                        ) : (
                            findings.map((f, i) => (
                                <article key={`${f.check}-${f.object}-${i}`} className={`finding ${f.severity}`} data-testid="index-finding">
                                    <h2 className="rec-title finding-title">
                                        <Badge tone={f.severity}>{f.severity}</Badge>
                                        <span>{checkName(f.check)}</span>
                                        <span className="mono muted">{f.object}</span>
                                    </h2>
                                    <p>{f.message}</p>
                                    {f.wasted_bytes > 0 && <p className="muted">Reclaims {formatBytes(f.wasted_bytes)}.</p>}
                                    <CodeBlock code={f.fix_sql} label="Fix" copyWhat={`fix for ${f.object}`} />
                                </article>
                            ))
                        )}
                    </>
                )}
            </Async>
        </>
    );
}

export default function IndexHealthPage() {
    return <RequireTarget>{(t) => <IndexHealth key={String(t.id)} target={t} />}</RequireTarget>;
}
