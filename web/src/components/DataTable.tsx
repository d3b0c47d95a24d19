import { useMemo, useState, type ReactNode } from 'react';
import { downloadText, exportFileName, tableToCsv } from '../lib/csv';
import { ariaSort, nextSort, sortByColumn, type ColumnDef, type SortState } from '../lib/table';

export type Column<T> = ColumnDef<T> & {
    /// The cell's content; defaults to text(row) or String(value(row)).
    render?: (row: T) => ReactNode;
    className?: string;
};

function cellText<T>(c: Column<T>, row: T): ReactNode {
    if (c.render) return c.render(row);
    if (c.text) return c.text(row);
    const v = c.value(row);
    return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '—' : String(v);
}

/// A sortable table (headers are buttons with aria-sort) in a focusable scroll region, with an
/// optional CSV export of exactly what it shows (all rows, in the current order).
export function DataTable<T>({
    columns,
    rows,
    rowKey,
    caption,
    initialSort = null,
    csvName,
    empty,
    pageSize = 100,
    testId,
    footer,
}: {
    columns: Column<T>[];
    rows: readonly T[];
    rowKey: (row: T) => string;
    caption: string;
    initialSort?: SortState | null;
    csvName?: string;
    empty?: ReactNode;
    pageSize?: number;
    testId?: string;
    footer?: ReactNode;
}) {
    const [sort, setSort] = useState<SortState | null>(initialSort);
    const [limit, setLimit] = useState(pageSize);
    const sorted = useMemo(() => sortByColumn(rows, columns, sort), [rows, columns, sort]);
    const shown = sorted.slice(0, limit);
    return (
        <div data-testid={testId}>
            <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
                <table>
                    <caption className="visually-hidden">
                        {caption}
                        {sort ? `, sorted by ${columns.find((c) => c.key === sort.key)?.header ?? sort.key} ${sort.dir === 'asc' ? 'ascending' : 'descending'}` : ''}
                    </caption>
                    <thead>
                        <tr>
                            {columns.map((c) => (
                                <th
                                    key={c.key}
                                    scope="col"
                                    className={`${c.align === 'right' ? 'num' : ''} ${c.narrowHidden ? 'narrow-hidden' : ''}`}
                                    aria-sort={c.sortable === false ? undefined : ariaSort(sort, c.key)}
                                >
                                    {c.sortable === false ? (
                                        c.header
                                    ) : (
                                        <button
                                            type="button"
                                            className="sort"
                                            onClick={() => setSort((s) => nextSort(s, c.key, c.firstDir))}
                                        >
                                            {c.header}
                                            <span aria-hidden="true">
                                                {sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                                            </span>
                                        </button>
                                    )}
                                </th>
                            ))}
                        </tr>
                    </thead>
                    <tbody>
                        {shown.length === 0 ? (
                            <tr>
                                <td colSpan={columns.length} className="state">
                                    {empty ?? 'Nothing to show.'}
                                </td>
                            </tr>
                        ) : (
                            shown.map((row) => (
                                <tr key={rowKey(row)}>
                                    {columns.map((c) => (
                                        <td
                                            key={c.key}
                                            className={`${c.align === 'right' ? 'num' : ''} ${c.narrowHidden ? 'narrow-hidden' : ''} ${c.className ?? ''}`}
                                        >
                                            {cellText(c, row)}
                                        </td>
                                    ))}
                                </tr>
                            ))
                        )}
                    </tbody>
                </table>
            </div>
            <div className="table-footer">
                <span>
                    {sorted.length > shown.length
                        ? `Showing ${shown.length} of ${sorted.length}`
                        : `${sorted.length} row${sorted.length === 1 ? '' : 's'}`}
                    {footer ? <> · {footer}</> : null}
                </span>
                <span className="toolbar">
                    {sorted.length > shown.length && (
                        <button type="button" className="small" onClick={() => setLimit((l) => l + pageSize)}>
                            Show more
                        </button>
                    )}
                    {csvName && (
                        <button
                            type="button"
                            className="small"
                            disabled={sorted.length === 0}
                            onClick={() => downloadText(tableToCsv(columns, sorted), exportFileName(csvName, 'csv'), 'text/csv;charset=utf-8')}
                            aria-label={`Export CSV of ${caption}`}
                        >
                            Export CSV
                        </button>
                    )}
                </span>
            </div>
        </div>
    );
}
