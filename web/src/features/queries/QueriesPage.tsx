import { useEffect, useMemo, useRef, useState } from 'react';
import { useTargetEvents } from '../../app/live';
import { useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { RangeSelect } from '../../components/RangeSelect';
import { RequireTarget } from '../../components/RequireTarget';
import { Async } from '../../components/States';
import { StatementsTable } from '../../components/StatementsTable';
import { presetRange } from '../../lib/compare';
import { formatCount, formatMs } from '../../lib/format';
import { buildPath } from '../../lib/router';
import { filterRows } from '../../lib/table';
import type { Target } from '../../lib/types';

const LIMITS = [50, 100, 200, 500];

function Queries({ target }: { target: Target }) {
    useTitle('Queries');
    const { api } = useSession();
    const { route, navigate } = useRouter();
    const range = route.query.get('range') ?? '1h';
    const limit = Number(route.query.get('limit')) || 100;
    const [search, setSearch] = useState(route.query.get('search') ?? '');
    const [serverSearch, setServerSearch] = useState(search);

    // The server filters too (so statements beyond the limit can be found); debounce its query.
    useEffect(() => {
        const id = setTimeout(() => setServerSearch(search.trim()), 350);
        return () => clearTimeout(id);
    }, [search]);
    useEffect(() => {
        navigate(buildPath('/queries', { range: range === '1h' ? undefined : range, limit: limit === 100 ? undefined : limit, search: serverSearch }), {
            replace: true,
        });
    }, [serverSearch, range, limit, navigate]);

    const state = useAsync(
        (signal) => {
            const r = presetRange(range, Date.now());
            return api.statements(target.id, { ...r, limit, search: serverSearch || undefined }, signal);
        },
        [api, target.id, range, limit, serverSearch],
    );
    const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
    useTargetEvents(target.id, (m) => {
        if (m.data.kind !== 'snapshot') return;
        if (reloadTimer.current) clearTimeout(reloadTimer.current);
        reloadTimer.current = setTimeout(() => state.reload(), 300);
    });

    const rows = useMemo(
        () => filterRows(state.data?.statements ?? [], search, (s) => [s.query, s.fingerprint]),
        [state.data, search],
    );
    const setParam = (key: string, value: string | number | undefined) =>
        navigate(buildPath('/queries', { range, limit: limit === 100 ? undefined : limit, search: serverSearch, [key]: value }), { replace: true });

    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Queries</h1>
                    <p>Statements of {target.name}, grouped by fingerprint and ranked by total time.</p>
                </div>
            </div>
            <div className="toolbar mb" role="search">
                <label htmlFor="query-search" className="visually-hidden">
                    Search queries
                </label>
                <input
                    id="query-search"
                    className="search"
                    type="search"
                    placeholder="Search query text or fingerprint…"
                    value={search}
                    onChange={(e) => setSearch(e.target.value)}
                />
                <RangeSelect value={range} onChange={(k) => setParam('range', k === '1h' ? undefined : k)} />
                <label htmlFor="query-limit" className="visually-hidden">
                    Number of statements
                </label>
                <select id="query-limit" value={limit} onChange={(e) => setParam('limit', Number(e.target.value) === 100 ? undefined : Number(e.target.value))}>
                    {LIMITS.map((l) => (
                        <option key={l} value={l}>
                            Top {l}
                        </option>
                    ))}
                </select>
                {state.loading && state.data && <span className="spinner" role="status" aria-label="Refreshing" />}
            </div>
            <Async state={state} what="statements">
                {(d) => (
                    <>
                        <p className="muted">
                            {formatCount(d.statements?.length ?? 0)} statements · {formatMs(d.total_ms)} of query time in the range
                        </p>
                        <StatementsTable statements={rows} caption="Statements by total time" csvName={`statements-${target.name}-${range}`} testId="statements-table" />
                    </>
                )}
            </Async>
        </>
    );
}

export default function QueriesPage() {
    return <RequireTarget>{(t) => <Queries key={String(t.id)} target={t} />}</RequireTarget>;
}
