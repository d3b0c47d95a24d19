import { useMemo } from 'react';
import { Link, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { DataTable, type Column } from '../../components/DataTable';
import { RangeSelect } from '../../components/RangeSelect';
import { RequireTarget } from '../../components/RequireTarget';
import { Scatter } from '../../components/Scatter';
import { Async, Empty } from '../../components/States';
import { TimeChart, type ChartSeries } from '../../components/TimeChart';
import { compareRanges, presetRange, previousRange, RANGE_PRESETS, type RangeChange } from '../../lib/compare';
import { ellipsize, formatCount, formatMs } from '../../lib/format';
import { buildPath, queryPath } from '../../lib/router';
import { latencySeries, workloadSeries } from '../../lib/series';
import type { Target } from '../../lib/types';

const TREND_STATEMENTS = 8;

const WORKLOAD_SERIES: ChartSeries[] = [
    { label: 'mean latency', unit: 'ms', color: 1 },
    { label: 'calls', unit: 'count', color: 2 },
];
const LATENCY_SERIES: ChartSeries[] = [
    { label: 'connect', unit: 'ms', color: 1 },
    { label: 'p50', unit: 'ms', color: 2 },
    { label: 'p95', unit: 'ms', color: 3 },
];

function changeColumns(kind: 'regression' | 'improvement'): Column<RangeChange>[] {
    return [
        {
            key: 'query',
            header: 'Query',
            value: (c) => c.query,
            className: 'query-cell',
            render: (c) => (
                <Link to={queryPath(c.fingerprint)} className="query-text">
                    {ellipsize(c.query, 120)}
                </Link>
            ),
        },
        { key: 'meanBefore', header: 'Mean before', value: (c) => c.meanBefore, text: (c) => formatMs(c.meanBefore), align: 'right' },
        { key: 'meanAfter', header: 'Mean now', value: (c) => c.meanAfter, text: (c) => formatMs(c.meanAfter), align: 'right' },
        {
            key: 'ratio',
            header: 'Change',
            value: (c) => c.ratio,
            align: 'right',
            firstDir: kind === 'regression' ? 'desc' : 'asc',
            render: (c) => (
                <span className={kind === 'regression' ? 'tone-worse' : 'tone-better'}>
                    {c.ratio >= 1 ? `×${c.ratio.toFixed(1)} slower` : `×${(1 / c.ratio).toFixed(1)} faster`}
                </span>
            ),
        },
        {
            key: 'deltaTotalMs',
            header: kind === 'regression' ? 'Time lost' : 'Time saved',
            value: (c) => Math.abs(c.deltaTotalMs),
            text: (c) => formatMs(Math.abs(c.deltaTotalMs)),
            align: 'right',
            firstDir: 'desc',
        },
        { key: 'callsAfter', header: 'Calls now', value: (c) => c.callsAfter, text: (c) => formatCount(c.callsAfter), align: 'right', narrowHidden: true },
    ];
}

const REGRESSION_COLUMNS = changeColumns('regression');
const IMPROVEMENT_COLUMNS = changeColumns('improvement');

function Analytics({ target }: { target: Target }) {
    useTitle('Analytics');
    const { api } = useSession();
    const { route, navigate } = useRouter();
    const rangeKey = route.query.get('range') ?? '24h';
    const rangeLabel = RANGE_PRESETS.find((p) => p.key === rangeKey)?.label.toLowerCase() ?? 'the range';
    // One "now" per range choice, so both comparison ranges and the trends line up.
    const range = useMemo(() => presetRange(rangeKey, Date.now()), [rangeKey]);

    const current = useAsync((signal) => api.statements(target.id, { ...range, limit: 200 }, signal), [api, target.id, range]);
    const previous = useAsync((signal) => api.statements(target.id, { ...previousRange(range), limit: 200 }, signal), [api, target.id, range]);
    const latency = useAsync((signal) => api.latency(target.id, range, signal), [api, target.id, range]);
    // The same list (same identity) while the costliest statements stay the same, so the trends
    // are fetched again only when they change.
    const topKey = (current.data?.statements ?? [])
        .slice(0, TREND_STATEMENTS)
        .map((s) => s.fingerprint)
        .join(',');
    const topFingerprints = useMemo(() => (topKey === '' ? [] : topKey.split(',')), [topKey]);
    const trends = useAsync(
        (signal) => Promise.all(topFingerprints.map((fp) => api.statement(target.id, fp, range, signal).then((d) => d.history ?? []))),
        [api, target.id, range, topFingerprints],
        current.data !== undefined,
    );
    const workload = useMemo(() => workloadSeries(trends.data ?? []), [trends.data]);
    const latencyData = useMemo(() => latencySeries(latency.data ?? []), [latency.data]);
    const comparison = useMemo(
        () => (current.data && previous.data ? compareRanges(previous.data.statements ?? [], current.data.statements ?? []) : null),
        [current.data, previous.data],
    );

    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Analytics</h1>
                    <p>How {target.name}'s workload changes over time.</p>
                </div>
                <RangeSelect value={rangeKey} onChange={(k) => navigate(buildPath('/analytics', { range: k }), { replace: true })} />
            </div>

            <section className="card" aria-labelledby="trend-title">
                <div className="card-header">
                    <h2 id="trend-title">Latency and calls</h2>
                    <span className="muted">the {Math.min(TREND_STATEMENTS, topFingerprints.length)} costliest statements, per collection</span>
                </div>
                <Async state={current} what="statements">
                    {() =>
                        topFingerprints.length === 0 ? (
                            <Empty title={`No statements in ${rangeLabel}.`} />
                        ) : (
                            <Async state={trends} what="trends">
                                {() => <TimeChart data={workload.series} series={WORKLOAD_SERIES} title={`Mean latency and calls over ${rangeLabel}`} range={range} />}
                            </Async>
                        )
                    }
                </Async>
            </section>

            <div className="grid-2">
                <section className="card" aria-labelledby="scatter-title">
                    <div className="card-header">
                        <h2 id="scatter-title">Queries by calls × mean time</h2>
                    </div>
                    <p className="muted">
                        Top right costs the most: frequent and slow. Bigger bubbles take more total time. Each bubble opens its query.
                    </p>
                    <Async state={current} what="statements">
                        {(d) => <Scatter statements={d.statements ?? []} />}
                    </Async>
                </section>
                <section className="card" aria-labelledby="latency-title">
                    <div className="card-header">
                        <h2 id="latency-title">Connection latency</h2>
                    </div>
                    <Async state={latency} what="latency samples">
                        {() => <TimeChart data={latencyData} series={LATENCY_SERIES} title={`Connection latency over ${rangeLabel}`} height={220} range={range} />}
                    </Async>
                </section>
            </div>

            <section className="card" aria-labelledby="regressions-title">
                <div className="card-header">
                    <h2 id="regressions-title">Regressions</h2>
                    <span className="muted">mean time now vs the {rangeLabel.replace('last ', '')} before (at least ±20%, 5 calls each)</span>
                </div>
                <Async state={previous} what="the earlier range">
                    {() =>
                        comparison && (
                            <DataTable
                                columns={REGRESSION_COLUMNS}
                                rows={comparison.regressions}
                                rowKey={(c) => c.fingerprint}
                                caption="Statements slower than in the previous range"
                                csvName="regressions"
                                empty="No statement got slower."
                                testId="regressions"
                            />
                        )
                    }
                </Async>
            </section>
            <section className="card" aria-labelledby="improvements-title">
                <div className="card-header">
                    <h2 id="improvements-title">Improvements</h2>
                </div>
                <Async state={previous} what="the earlier range">
                    {() =>
                        comparison && (
                            <>
                                <DataTable
                                    columns={IMPROVEMENT_COLUMNS}
                                    rows={comparison.improvements}
                                    rowKey={(c) => c.fingerprint}
                                    caption="Statements faster than in the previous range"
                                    csvName="improvements"
                                    empty="No statement got faster."
                                    testId="improvements"
                                />
                                {comparison.appeared.length > 0 && (
                                    <p className="muted">
                                        New in this range: {comparison.appeared.map((s) => ellipsize(s.query, 60)).join(' · ')}
                                    </p>
                                )}
                            </>
                        )
                    }
                </Async>
            </section>
        </>
    );
}

export default function AnalyticsPage() {
    return <RequireTarget>{(t) => <Analytics key={String(t.id)} target={t} />}</RequireTarget>;
}
