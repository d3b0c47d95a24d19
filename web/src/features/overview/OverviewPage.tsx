import { useCallback, useMemo, useRef, useState } from 'react';
import { useLive, useTargetEvents } from '../../app/live';
import { useSession } from '../../app/session';
import { useTargets } from '../../app/targets';
import { useAsync, useNow, useTitle } from '../../app/useAsync';
import { Link } from '../../app/router';
import { Badge } from '../../components/Badge';
import { CodeBlock } from '../../components/CodeBlock';
import { RequireTarget } from '../../components/RequireTarget';
import { Async, Empty } from '../../components/States';
import { StatementsTable } from '../../components/StatementsTable';
import { TimeChart, type ChartSeries } from '../../components/TimeChart';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../lib/api';
import { formatCount, formatDateTime, formatMs, formatRelative, parseTime } from '../../lib/format';
import { checkCounts, sortChecks } from '../../lib/recommendations';
import { latencySeries } from '../../lib/series';
import type { Check, Statement, Target } from '../../lib/types';

const LATENCY_SERIES: ChartSeries[] = [
    { label: 'connect', unit: 'ms', color: 1 },
    { label: 'p50', unit: 'ms', color: 2 },
    { label: 'p95', unit: 'ms', color: 3 },
];

function CheckCard({ check }: { check: Check }) {
    return (
        <article className={`card check-card ${check.status}`} data-testid="health-check">
            <h3>
                <Badge tone={check.status}>{check.status}</Badge>
                <span>{check.name || 'Check'}</span>
            </h3>
            <p>{check.message || (check.status === 'pass' ? 'All good.' : '')}</p>
            {check.fix ? <CodeBlock code={check.fix} label="Fix" copyWhat={`fix for ${check.name}`} /> : null}
        </article>
    );
}

function Overview({ target }: { target: Target }) {
    useTitle('Overview');
    const { api } = useSession();
    const toast = useToast();
    const now = useNow(1000);
    const overview = useAsync((signal) => api.overview(target.id, signal), [api, target.id]);
    const [latencyRange, setLatencyRange] = useState(() => ({ from: Date.now() - 3_600_000, to: Date.now() }));
    const latency = useAsync((signal) => api.latency(target.id, latencyRange, signal), [api, target.id, latencyRange]);
    const { latestSnapshot } = useLive();
    const [live, setLive] = useState<{ at: string; totalMs: number; statements: Statement[] } | null>(() => {
        const last = latestSnapshot(target.id);
        return last ? { at: last.taken_at, totalMs: last.total_ms, statements: Array.isArray(last.statements) ? last.statements : [] } : null;
    });
    const [collecting, setCollecting] = useState(false);
    const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

    useTargetEvents(target.id, (m) => {
        if (m.data.kind !== 'snapshot') return;
        setLive({ at: m.data.taken_at, totalMs: m.data.total_ms, statements: Array.isArray(m.data.statements) ? m.data.statements : [] });
        // Ranked totals of the last hour change with every collection: fetch them again (debounced).
        if (refetchTimer.current) clearTimeout(refetchTimer.current);
        refetchTimer.current = setTimeout(() => {
            overview.reload();
            // Latency is sampled once a minute: a new range at most that often is enough.
            setLatencyRange((r) => (Date.now() - r.to > 60_000 ? { from: Date.now() - 3_600_000, to: Date.now() } : r));
        }, 250);
    });

    const collect = useCallback(async () => {
        setCollecting(true);
        try {
            await api.collect(target.id);
            toast('Collection started; the numbers update when it finishes.', 'ok');
        } catch (e) {
            toast(errorMessage(e), 'error');
        } finally {
            setCollecting(false);
        }
    }, [api, target.id, toast]);

    const latencyData = useMemo(() => latencySeries(latency.data ?? []), [latency.data]);
    const status = target.status;
    const lastSnapshot = live?.at ?? overview.data?.last_snapshot_at ?? status?.last_snapshot_at ?? null;
    const lastAge = parseTime(lastSnapshot) !== null ? (now - parseTime(lastSnapshot)!) / 1000 : null;
    const stale = lastAge !== null && target.interval_s > 0 && lastAge > target.interval_s * 3;
    const lat = status?.latency;

    return (
        <>
            <div className="page-header">
                <div>
                    <h1>
                        {target.name} {target.production && <Badge tone="warn">production</Badge>}
                    </h1>
                    <p className="mono">{target.dsn_display}</p>
                </div>
                <div className="toolbar">
                    <button type="button" onClick={() => void collect()} disabled={collecting}>
                        {collecting ? <span className="spinner" aria-hidden="true" /> : null}
                        Collect now
                    </button>
                </div>
            </div>

            <section className="stats" aria-label="Status">
                <div className="stat">
                    <div className="stat-label">Status</div>
                    <div className="stat-value">
                        <Badge tone={status?.state ?? null}>{status?.state ?? 'unknown'}</Badge>
                    </div>
                    <div className="stat-sub">
                        {status?.state === 'down'
                            ? `down since ${formatRelative(status.down_since, now)}${status.error ? `: ${status.error}` : ''}`
                            : status?.state === 'remote'
                              ? 'collected by another instance sharing the store'
                              : `${formatCount(status?.snapshots ?? null)} snapshots`}
                    </div>
                </div>
                <div className="stat" data-testid="last-snapshot">
                    <div className="stat-label">Last snapshot</div>
                    <div className="stat-value">{lastSnapshot ? formatRelative(lastSnapshot, now) : 'none yet'}</div>
                    <div className="stat-sub">
                        {stale ? `late: collected every ${target.interval_s} s` : `every ${formatCount(target.interval_s)} s`}
                    </div>
                </div>
                <div className="stat">
                    <div className="stat-label">Connection latency</div>
                    <div className="stat-value">{formatMs(lat?.p50_ms ?? lat?.connect_ms ?? null)}</div>
                    <div className="stat-sub">
                        {lat?.error ? lat.error : `connect ${formatMs(lat?.connect_ms)} · p95 ${formatMs(lat?.p95_ms)}`}
                    </div>
                </div>
                <div className="stat">
                    <div className="stat-label">Query time, last hour</div>
                    <div className="stat-value">{formatMs(overview.data?.total_ms_last_hour ?? null)}</div>
                    <div className="stat-sub">
                        {live ? `last collection ${formatMs(live.totalMs)}` : 'in all statements'}
                    </div>
                </div>
            </section>

            <div className="grid-2 wide">
                <section className="card" aria-labelledby="top-title">
                    <div className="card-header">
                        <h2 id="top-title">Top queries by total time</h2>
                        <Link to="/queries">All queries</Link>
                    </div>
                    <Async state={overview} what="the overview">
                        {(o) => (
                            <StatementsTable
                                statements={Array.isArray(o.top) ? o.top : []}
                                caption="Top queries of the last hour by total time"
                                compact
                                testId="top-queries"
                            />
                        )}
                    </Async>
                </section>
                <section className="card" aria-labelledby="live-title" data-testid="live-snapshot">
                    <div className="card-header">
                        <h2 id="live-title">Latest collection</h2>
                        <span className="muted" aria-live="polite">
                            {live ? `${formatDateTime(live.at)} · ${formatRelative(live.at, now)}` : 'waiting for the next collection…'}
                        </span>
                    </div>
                    {live ? (
                        <StatementsTable
                            statements={live.statements.slice(0, 10)}
                            caption="Statements of the latest collection"
                            compact
                            testId="live-statements"
                        />
                    ) : (
                        <p className="muted">
                            Statements appear here live as each collection finishes (every {formatCount(target.interval_s)} s).
                        </p>
                    )}
                </section>
            </div>

            <section className="card" aria-labelledby="checks-title">
                <div className="card-header">
                    <h2 id="checks-title">Health checks</h2>
                    {overview.data && (
                        <span className="muted">
                            {(() => {
                                const c = checkCounts(overview.data.checks ?? []);
                                return `${c.pass} pass · ${c.warn} warn${c.fail ? ` · ${c.fail} fail` : ''}`;
                            })()}
                        </span>
                    )}
                </div>
                <Async state={overview} what="the health checks">
                    {(o) =>
                        (o.checks ?? []).length === 0 ? (
                            <Empty title="No checks reported yet." />
                        ) : (
                            <div className="grid">
                                {sortChecks(o.checks).map((c, i) => (
                                    <CheckCard key={`${c.name}-${i}`} check={c} />
                                ))}
                            </div>
                        )
                    }
                </Async>
            </section>

            <section className="card" aria-labelledby="latency-title">
                <div className="card-header">
                    <h2 id="latency-title">Connection latency, last hour</h2>
                </div>
                <Async state={latency} what="latency samples">
                    {() => <TimeChart data={latencyData} series={LATENCY_SERIES} title="Connection latency over the last hour" height={200} range={latencyRange} />}
                </Async>
            </section>
        </>
    );
}

export function OverviewPage() {
    const { selected } = useTargets();
    return <RequireTarget>{(t) => <Overview key={String(selected?.id ?? t.id)} target={t} />}</RequireTarget>;
}
