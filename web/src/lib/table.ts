// Sorting, searching and column definitions for the dashboard's tables. Pure; used by
// components/DataTable and by CSV export, so a table and its CSV always agree.

export type SortDir = 'asc' | 'desc';

export interface SortState {
    key: string;
    dir: SortDir;
}

/// A column: how to read its raw value (sorting, CSV) and how to show it.
export interface ColumnDef<T> {
    key: string;
    header: string;
    value: (row: T) => unknown;
    /// Text shown in the cell; defaults to String(value).
    text?: (row: T) => string;
    /// Value written to CSV; defaults to value(row).
    csv?: (row: T) => unknown;
    align?: 'left' | 'right';
    sortable?: boolean;
    /// Direction of the first click: numbers usually sort largest first.
    firstDir?: SortDir;
    /// Hidden on narrow screens (CSS class), still in CSV.
    narrowHidden?: boolean;
}

function isMissing(v: unknown): boolean {
    return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === '';
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/// Orders two cell values ascending: numbers numerically, strings naturally ("q2" < "q10"),
/// booleans false first. Missing values compare equal to each other.
export function compareValues(a: unknown, b: unknown): number {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
    if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
    return collator.compare(String(a), String(b));
}

/// A sorted copy; stable, and missing values (null, undefined, NaN, '') always last in either direction.
export function sortRows<T>(rows: readonly T[], value: (row: T) => unknown, dir: SortDir): T[] {
    const sign = dir === 'asc' ? 1 : -1;
    return rows
        .map((row, i) => ({ row, i, v: value(row) }))
        .sort((x, y) => {
            const mx = isMissing(x.v);
            const my = isMissing(y.v);
            if (mx || my) return mx === my ? x.i - y.i : mx ? 1 : -1;
            return sign * compareValues(x.v, y.v) || x.i - y.i;
        })
        .map((e) => e.row);
}

/// Sorts by a column of `columns`; rows unchanged when the key names no column.
export function sortByColumn<T>(rows: readonly T[], columns: readonly ColumnDef<T>[], sort: SortState | null): T[] {
    if (!sort) return [...rows];
    const col = columns.find((c) => c.key === sort.key);
    return col ? sortRows(rows, col.value, sort.dir) : [...rows];
}

/// The sort after a click on a column header: the column's first direction, then the other one.
export function nextSort(current: SortState | null, key: string, firstDir: SortDir = 'asc'): SortState {
    if (current && current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
    return { key, dir: firstDir };
}

/// The search query split into lower-case terms; quoted phrases stay whole ("seq scan").
export function searchTerms(query: string): string[] {
    const terms: string[] = [];
    const re = /"([^"]*)"|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(query)) !== null) {
        const t = (m[1] ?? m[2] ?? '').trim().toLowerCase();
        if (t) terms.push(t);
    }
    return terms;
}

/// True when every term occurs in one of the fields (case-insensitive, whitespace-insensitive).
export function matchesSearch(fields: readonly unknown[], query: string): boolean {
    const terms = searchTerms(query);
    if (terms.length === 0) return true;
    const hay = fields
        .filter((f) => f !== null && f !== undefined)
        .map((f) => String(f).toLowerCase().replace(/\s+/g, ' '))
        .join('\n');
    return terms.every((t) => hay.includes(t));
}

/// Rows whose fields match the query.
export function filterRows<T>(rows: readonly T[], query: string, fields: (row: T) => readonly unknown[]): T[] {
    if (searchTerms(query).length === 0) return [...rows];
    return rows.filter((r) => matchesSearch(fields(r), query));
}

/// The aria-sort value of a column header.
export function ariaSort(sort: SortState | null, key: string): 'ascending' | 'descending' | 'none' {
    if (!sort || sort.key !== key) return 'none';
    return sort.dir === 'asc' ? 'ascending' : 'descending';
}
