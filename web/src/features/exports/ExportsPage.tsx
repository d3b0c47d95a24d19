import { useState } from 'react';
import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { CopyButton } from '../../components/CopyButton';
import { RangeSelect } from '../../components/RangeSelect';
import { RequireTarget } from '../../components/RequireTarget';
import { Async, Empty, InlineError } from '../../components/States';
import { useToast } from '../../components/Toasts';
import type { ApiClient } from '../../lib/api';
import { presetRange } from '../../lib/compare';
import { downloadText, exportFileName, tableToCsv } from '../../lib/csv';
import { rankRecommendations } from '../../lib/recommendations';
import type { Target } from '../../lib/types';
import { AUDIT_COLUMNS, INDEX_HEALTH_COLUMNS, RECOMMENDATION_COLUMNS, STATEMENT_COLUMNS } from '../../lib/exports';




interface Dataset {
    key: string;
    title: string;
    description: string;
    load: (api: ApiClient, target: Target, range: { from: number; to: number }) => Promise<{ csv: string; json: unknown; count: number }>;
}

const DATASETS: Dataset[] = [
    {
        key: 'statements',
        title: 'Statements',
        description: 'Every statement of the range with its totals, ranked by total time.',
        load: async (api, target, range) => {
            const r = await api.statements(target.id, { ...range, limit: 1000 });
            const rows = r.statements ?? [];
            return { csv: tableToCsv(STATEMENT_COLUMNS, rows), json: r, count: rows.length };
        },
    },
    {
        key: 'recommendations',
        title: 'Recommendations',
        description: 'Index and rewrite recommendations ranked by impact, with validation verdicts.',
        load: async (api, target) => {
            const rows = rankRecommendations(await api.recommendations(target.id));
            return { csv: tableToCsv(RECOMMENDATION_COLUMNS, rows), json: { recommendations: rows }, count: rows.length };
        },
    },
    {
        key: 'index-health',
        title: 'Index health',
        description: 'Invalid, duplicate, redundant and unused indexes and unindexed foreign keys, with the fix.',
        load: async (api, target) => {
            const r = await api.indexHealth(target.id);
            const rows = r.findings ?? [];
            return { csv: tableToCsv(INDEX_HEALTH_COLUMNS, rows), json: r, count: rows.length };
        },
    },
    {
        key: 'audit-log',
        title: 'Audit log',
        description: 'Every validate, apply and rollback (all databases).',
        load: async (api) => {
            const rows = await api.audit(10000);
            return { csv: tableToCsv(AUDIT_COLUMNS, rows), json: { events: rows }, count: rows.length };
        },
    },
];

function DatasetRow({ dataset, target, range }: { dataset: Dataset; target: Target; range: { from: number; to: number } }) {
    const { api } = useSession();
    const toast = useToast();
    const [busy, setBusy] = useState<'csv' | 'json' | null>(null);
    const [error, setError] = useState<unknown>(null);
    const run = async (format: 'csv' | 'json') => {
        setBusy(format);
        setError(null);
        try {
            const r = await dataset.load(api, target, range);
            const name = exportFileName(`${dataset.key}-${target.name}`, format);
            if (format === 'csv') downloadText(r.csv, name, 'text/csv;charset=utf-8');
            else downloadText(`${JSON.stringify(r.json, null, 2)}\n`, name, 'application/json');
            toast(`Exported ${r.count} row${r.count === 1 ? '' : 's'} to ${name}.`, 'ok');
        } catch (e) {
            setError(e);
        } finally {
            setBusy(null);
        }
    };
    return (
        <li className="checks-list-item" data-testid={`export-${dataset.key}`}>
            <div className="card-header flush">
                <div>
                    <h3>{dataset.title}</h3>
                    <p className="muted">{dataset.description}</p>
                </div>
                <div className="toolbar">
                    <button type="button" onClick={() => void run('csv')} disabled={busy !== null} aria-label={`Download ${dataset.title} as CSV`}>
                        {busy === 'csv' ? <span className="spinner" aria-hidden="true" /> : null}CSV
                    </button>
                    <button type="button" onClick={() => void run('json')} disabled={busy !== null} aria-label={`Download ${dataset.title} as JSON`}>
                        {busy === 'json' ? <span className="spinner" aria-hidden="true" /> : null}JSON
                    </button>
                </div>
            </div>
            <InlineError error={error} />
        </li>
    );
}

function SqlScript({ target }: { target: Target }) {
    const { api } = useSession();
    const state = useAsync((signal) => api.get<string>(`/targets/${encodeURIComponent(String(target.id))}/export/recommendations.sql`, { text: true, signal }), [api, target.id]);
    return (
        <section className="card" aria-labelledby="sql-title">
            <div className="card-header">
                <h2 id="sql-title">SQL script of the recommendations</h2>
                {state.data && (
                    <div className="toolbar">
                        <CopyButton text={state.data} what="SQL script" />
                        <button type="button" onClick={() => downloadText(state.data!, exportFileName(`recommendations-${target.name}`, 'sql'), 'application/sql')}>
                            Download .sql
                        </button>
                    </div>
                )}
            </div>
            <p className="muted">Every recommendation's DDL, with its rollback as a comment, for review or a migration.</p>
            <Async state={state} what="the SQL script">
                {(sql) =>
                    sql.trim() === '' ? (
                        <Empty title="No recommendations to script yet." />
                    ) : (
                        <pre className="code-block scroll-pre" data-testid="sql-script" tabIndex={0} aria-label="SQL script">
                            <code>{sql}</code>
                        </pre>
                    )
                }
            </Async>
        </section>
    );
}

function Exports({ target }: { target: Target }) {
    useTitle('Exports');
    const [rangeKey, setRangeKey] = useState('24h');
    const range = presetRange(rangeKey, Date.now());
    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Exports</h1>
                    <p>Take {target.name}'s data elsewhere: tables as CSV or JSON, the recommendations as SQL, or a report as PDF.</p>
                </div>
            </div>
            <div className="stack">
                <section className="card" aria-labelledby="report-title">
                    <h2 id="report-title">Report</h2>
                    <p className="muted">What is slow, what to do about it and what was applied: a PDF file to download, or a page to print.</p>
                    <Link to="/report" className="button primary">
                        Open the report
                    </Link>
                </section>
                <section className="card" aria-labelledby="tables-title">
                    <div className="card-header">
                        <h2 id="tables-title">Tables</h2>
                        <RangeSelect value={rangeKey} onChange={setRangeKey} label="Range of the statements export" />
                    </div>
                    <ul className="checks-list">
                        {DATASETS.map((d) => (
                            <DatasetRow key={d.key} dataset={d} target={target} range={range} />
                        ))}
                    </ul>
                </section>
                <SqlScript target={target} />
            </div>
        </>
    );
}

export default function ExportsPage() {
    return <RequireTarget>{(t) => <Exports key={String(t.id)} target={t} />}</RequireTarget>;
}
