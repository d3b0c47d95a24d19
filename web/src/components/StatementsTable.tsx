import { useMemo } from 'react';
import { ellipsize, formatCount, formatMs, formatPct, formatShare } from '../lib/format';
import { queryPath } from '../lib/router';
import type { Statement } from '../lib/types';
import { Link } from '../app/router';
import { DataTable, type Column } from './DataTable';

/// The ranked statements: sortable by every number, the query links to its detail page.
export function StatementsTable({
    statements,
    caption,
    csvName,
    compact,
    testId,
}: {
    statements: readonly Statement[];
    caption: string;
    csvName?: string;
    compact?: boolean;
    testId?: string;
}) {
    const columns = useMemo<Column<Statement>[]>(() => {
        const all: Column<Statement>[] = [
            {
                key: 'query',
                header: 'Query',
                value: (s) => s.query,
                className: 'query-cell',
                render: (s) => (
                    <Link to={queryPath(s.fingerprint)} className="query-text" title={s.query}>
                        {ellipsize(s.query, compact ? 110 : 180)}
                    </Link>
                ),
            },
            { key: 'total_ms', header: 'Total', value: (s) => s.total_ms, text: (s) => formatMs(s.total_ms), align: 'right', firstDir: 'desc' },
            { key: 'mean_ms', header: 'Mean', value: (s) => s.mean_ms, text: (s) => formatMs(s.mean_ms), align: 'right', firstDir: 'desc' },
            { key: 'calls', header: 'Calls', value: (s) => s.calls, text: (s) => formatCount(s.calls), align: 'right', firstDir: 'desc' },
            {
                key: 'rows',
                header: 'Rows',
                value: (s) => s.rows,
                text: (s) => formatCount(s.rows),
                align: 'right',
                firstDir: 'desc',
                narrowHidden: true,
            },
            {
                key: 'share',
                header: 'Share',
                value: (s) => s.share,
                csv: (s) => (typeof s.share === 'number' ? Math.round(s.share * 100000) / 1000 : null),
                align: 'right',
                firstDir: 'desc',
                render: (s) => (
                    <>
                        {formatShare(s.share)}
                        <span className="share-bar" aria-hidden="true">
                            <span style={{ width: `${Math.max(0, Math.min(1, s.share || 0)) * 100}%` }} />
                        </span>
                    </>
                ),
            },
            {
                key: 'cache_hit_pct',
                header: 'Cache hit',
                value: (s) => s.cache_hit_pct,
                text: (s) => formatPct(s.cache_hit_pct),
                align: 'right',
                firstDir: 'asc',
                narrowHidden: true,
            },
            { key: 'fingerprint', header: 'Fingerprint', value: (s) => s.fingerprint, narrowHidden: true, className: 'mono' },
        ];
        return compact ? all.filter((c) => !['rows', 'cache_hit_pct', 'fingerprint'].includes(c.key)) : all;
    }, [compact]);
    return (
        <DataTable
            columns={columns}
            rows={statements}
            rowKey={(s) => s.fingerprint}
            caption={caption}
            csvName={csvName}
            initialSort={{ key: 'total_ms', dir: 'desc' }}
            empty="No statements in this range yet. They appear after the next collection."
            testId={testId}
        />
    );
}
