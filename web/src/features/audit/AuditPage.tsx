import { useMemo, useState } from 'react';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/Dialog';
import { DataTable, type Column } from '../../components/DataTable';
import { Async } from '../../components/States';
import { useToast } from '../../components/Toasts';
import { errorMessage, hasRole } from '../../lib/api';
import { ellipsize, formatDateTime, formatMs, MISSING } from '../../lib/format';
import { openApplies } from '../../lib/recommendations';
import { filterRows } from '../../lib/table';
import type { AuditEvent } from '../../lib/types';

function detailText(d: unknown): string {
    if (d === null || d === undefined) return '';
    if (typeof d === 'string') return d;
    try {
        return JSON.stringify(d, null, 2);
    } catch {
        return '';
    }
}

export default function AuditPage() {
    useTitle('Audit log');
    const { api, user } = useSession();
    const toast = useToast();
    const state = useAsync((signal) => api.audit(500, signal), [api]);
    const [search, setSearch] = useState('');
    const [action, setAction] = useState('all');
    const [rollbackOf, setRollbackOf] = useState<AuditEvent | null>(null);
    const [busy, setBusy] = useState(false);
    const events = useMemo(() => state.data ?? [], [state.data]);
    const open = useMemo(() => new Set(openApplies(events).map((e) => e.id)), [events]);
    const actions = useMemo(() => [...new Set(events.map((e) => e.action))].sort(), [events]);
    const rows = useMemo(
        () =>
            filterRows(
                events.filter((e) => action === 'all' || e.action === action),
                search,
                (e) => [e.actor, e.target, e.action, e.sql, e.outcome, e.error, e.id, detailText(e.detail)],
            ),
        [events, action, search],
    );
    const canOperate = hasRole(user?.role, 'operator');

    const columns = useMemo<Column<AuditEvent>[]>(
        () => [
            { key: 'id', header: '#', value: (e) => e.id, align: 'right', firstDir: 'desc' },
            { key: 'at', header: 'Time', value: (e) => e.at, text: (e) => formatDateTime(e.at), firstDir: 'desc', className: 'nowrap' },
            { key: 'actor', header: 'Actor', value: (e) => e.actor },
            { key: 'action', header: 'Action', value: (e) => e.action, render: (e) => <Badge tone="info">{e.action}</Badge> },
            {
                key: 'outcome',
                header: 'Outcome',
                value: (e) => e.outcome,
                render: (e) => (
                    <>
                        <Badge tone={e.outcome === 'ok' ? 'ok' : 'error'}>{e.outcome || MISSING}</Badge>
                        {e.error && <div className="inline-error">{e.error}</div>}
                    </>
                ),
            },
            { key: 'target', header: 'Target', value: (e) => e.target, narrowHidden: true, className: 'mono' },
            {
                key: 'sql',
                header: 'SQL',
                value: (e) => e.sql,
                className: 'query-cell',
                render: (e) => (
                    <details>
                        {/* Connection tests and settings changes run no SQL: the summary still needs a name. */}
                        <summary className="query-text">{e.sql ? ellipsize(e.sql, 90) : `${e.action} (no SQL)`}</summary>
                        {e.sql ? (
                            <pre className="code-block">
                                <code>{e.sql}</code>
                            </pre>
                        ) : null}
                        {e.detail ? (
                            <pre className="code-block">
                                <code>{detailText(e.detail)}</code>
                            </pre>
                        ) : null}
                    </details>
                ),
            },
            { key: 'duration_ms', header: 'Duration', value: (e) => e.duration_ms, text: (e) => formatMs(e.duration_ms), align: 'right', narrowHidden: true },
            {
                key: 'related_id',
                header: 'Related',
                value: (e) => e.related_id,
                sortable: false,
                csv: (e) => e.related_id,
                render: (e) =>
                    open.has(e.id) && canOperate ? (
                        <button type="button" className="small danger" onClick={() => setRollbackOf(e)}>
                            Roll back…
                        </button>
                    ) : e.related_id !== null && e.related_id !== undefined ? (
                        `#${e.related_id}`
                    ) : (
                        MISSING
                    ),
            },
        ],
        [open, canOperate],
    );

    const rollback = async () => {
        if (!rollbackOf) return;
        setBusy(true);
        try {
            const r = await api.rollback(rollbackOf.id);
            toast(r?.message || 'Rolled back.', 'ok');
            state.reload();
        } catch (e) {
            toast(errorMessage(e), 'error');
        } finally {
            setBusy(false);
            setRollbackOf(null);
        }
    };

    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Audit log</h1>
                    <p>Every validate, apply and rollback: who, when, the exact SQL and how it went. Append-only.</p>
                </div>
                <div className="toolbar">
                    <a className="button" href={api.auditCsvUrl(10000)} download>
                        Download full log (CSV)
                    </a>
                    <button type="button" onClick={state.reload} disabled={state.loading}>
                        Refresh
                    </button>
                </div>
            </div>
            <div className="toolbar mb" role="search">
                <label htmlFor="audit-search" className="visually-hidden">
                    Search the audit log
                </label>
                <input id="audit-search" className="search" type="search" placeholder="Search SQL, actor, target…" value={search} onChange={(e) => setSearch(e.target.value)} />
                <label htmlFor="audit-action" className="visually-hidden">
                    Action
                </label>
                <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value)}>
                    <option value="all">All actions</option>
                    {actions.map((a) => (
                        <option key={a} value={a}>
                            {a}
                        </option>
                    ))}
                </select>
            </div>
            <Async state={state} what="the audit log">
                {() => (
                    <DataTable
                        columns={columns}
                        rows={rows}
                        rowKey={(e) => String(e.id)}
                        caption="Audit events, newest first"
                        initialSort={{ key: 'id', dir: 'desc' }}
                        csvName="audit-log"
                        empty={events.length === 0 ? 'Nothing has been validated, applied or rolled back yet.' : 'No event matches.'}
                        testId="audit-table"
                    />
                )}
            </Async>
            <ConfirmDialog
                open={rollbackOf !== null}
                title={`Roll back action #${rollbackOf?.id ?? ''}?`}
                confirmLabel="Roll back"
                danger
                busy={busy}
                onConfirm={() => void rollback()}
                onCancel={() => setRollbackOf(null)}
            >
                <p>This undoes:</p>
                <pre className="code-block">
                    <code>{rollbackOf?.sql}</code>
                </pre>
            </ConfirmDialog>
        </>
    );
}
