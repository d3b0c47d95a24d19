import { describe, expect, it } from 'vitest';
import { ariaSort, compareValues, filterRows, matchesSearch, nextSort, searchTerms, sortByColumn, sortRows, type ColumnDef } from './table';

interface Row {
    q: string;
    total: number | null;
    calls?: number;
}
const rows: Row[] = [
    { q: 'SELECT * FROM orders WHERE id = $1', total: 50, calls: 10 },
    { q: 'UPDATE orders SET status = $1', total: null, calls: 3 },
    { q: 'SELECT name FROM customers', total: 200, calls: 1 },
    { q: 'select count(*) from items', total: 50 },
];

describe('sortRows', () => {
    it('sorts numbers both ways, stable, with missing values last', () => {
        expect(sortRows(rows, (r) => r.total, 'desc').map((r) => r.total)).toEqual([200, 50, 50, null]);
        expect(sortRows(rows, (r) => r.total, 'asc').map((r) => r.total)).toEqual([50, 50, 200, null]);
        // Ties keep their input order.
        expect(sortRows(rows, (r) => r.total, 'asc').slice(0, 2).map((r) => r.q)).toEqual([rows[0]!.q, rows[3]!.q]);
        expect(sortRows(rows, (r) => r.calls, 'asc').map((r) => r.calls)).toEqual([1, 3, 10, undefined]);
    });
    it('sorts strings naturally and case-insensitively', () => {
        expect(sortRows(['q10', 'Q2', 'q1'], (x) => x, 'asc')).toEqual(['q1', 'Q2', 'q10']);
        expect(compareValues(false, true)).toBeLessThan(0);
    });
    it('does not modify its input', () => {
        const copy = [...rows];
        sortRows(rows, (r) => r.total, 'desc');
        expect(rows).toEqual(copy);
    });
});

describe('columns and sort state', () => {
    const columns: ColumnDef<Row>[] = [
        { key: 'q', header: 'Query', value: (r) => r.q },
        { key: 'total', header: 'Total', value: (r) => r.total, firstDir: 'desc' },
    ];
    it('sorts by a named column and ignores unknown keys', () => {
        expect(sortByColumn(rows, columns, { key: 'total', dir: 'desc' })[0]!.total).toBe(200);
        expect(sortByColumn(rows, columns, { key: 'nope', dir: 'desc' })).toEqual(rows);
        expect(sortByColumn(rows, columns, null)).toEqual(rows);
    });
    it('toggles direction on the same column and starts new columns at their first direction', () => {
        expect(nextSort(null, 'total', 'desc')).toEqual({ key: 'total', dir: 'desc' });
        expect(nextSort({ key: 'total', dir: 'desc' }, 'total')).toEqual({ key: 'total', dir: 'asc' });
        expect(nextSort({ key: 'total', dir: 'desc' }, 'q')).toEqual({ key: 'q', dir: 'asc' });
        expect(ariaSort({ key: 'q', dir: 'asc' }, 'q')).toBe('ascending');
        expect(ariaSort({ key: 'q', dir: 'desc' }, 'q')).toBe('descending');
        expect(ariaSort({ key: 'q', dir: 'asc' }, 'total')).toBe('none');
    });
});

describe('search', () => {
    it('splits terms and keeps quoted phrases', () => {
        expect(searchTerms('  orders "WHERE id"  ')).toEqual(['orders', 'where id']);
        expect(searchTerms('')).toEqual([]);
    });
    it('requires every term, case- and whitespace-insensitively', () => {
        expect(matchesSearch(['SELECT *\n  FROM   orders'], 'orders from')).toBe(true);
        expect(matchesSearch(['SELECT *\n  FROM   orders'], '"orders from"')).toBe(false);
        expect(matchesSearch(['SELECT *\n  FROM   orders'], '"from orders"')).toBe(true);
        expect(matchesSearch(['SELECT * FROM orders', 'abc123'], 'orders ABC')).toBe(true);
        expect(matchesSearch([null, undefined], 'x')).toBe(false);
    });
    it('filters rows on the fields given', () => {
        expect(filterRows(rows, 'orders', (r) => [r.q])).toHaveLength(2);
        expect(filterRows(rows, 'select', (r) => [r.q])).toHaveLength(3);
        expect(filterRows(rows, '   ', (r) => [r.q])).toHaveLength(4);
    });
});
