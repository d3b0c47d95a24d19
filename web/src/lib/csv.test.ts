import { describe, expect, it } from 'vitest';
import { csvField, exportFileName, parseCsv, tableToCsv, toCsv } from './csv';
import type { ColumnDef } from './table';

describe('csvField', () => {
    it('quotes only when needed and doubles quotes', () => {
        expect(csvField('plain')).toBe('plain');
        expect(csvField('a,b')).toBe('"a,b"');
        expect(csvField('say "hi"')).toBe('"say ""hi"""');
        expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    });
    it('writes numbers, booleans, dates and objects plainly; nothing for missing values', () => {
        expect(csvField(3.5)).toBe('3.5');
        expect(csvField(NaN)).toBe('');
        expect(csvField(null)).toBe('');
        expect(csvField(undefined)).toBe('');
        expect(csvField(true)).toBe('true');
        expect(csvField(new Date('2026-11-28T01:02:03Z'))).toBe('2026-11-28T01:02:03.000Z');
        expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    });
    it('defuses spreadsheet formulas but keeps negative numbers', () => {
        expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
        expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
        expect(csvField('-3.5')).toBe('-3.5');
        expect(csvField('-- comment')).toBe("'-- comment");
    });
});

describe('toCsv and tableToCsv', () => {
    it('writes CRLF lines that parse back to the same cells', () => {
        const text = toCsv(['query', 'calls'], [['SELECT "a", b\nFROM t', 3], ['x', null]]);
        expect(text.endsWith('\r\n')).toBe(true);
        expect(parseCsv(text)).toEqual([
            ['query', 'calls'],
            ['SELECT "a", b\nFROM t', '3'],
            ['x', ''],
        ]);
    });
    it('uses raw column values (or csv overrides), not the formatted text', () => {
        interface R {
            q: string;
            ms: number;
            share: number;
        }
        const columns: ColumnDef<R>[] = [
            { key: 'q', header: 'Query', value: (r) => r.q },
            { key: 'ms', header: 'Total (ms)', value: (r) => r.ms, text: (r) => `${r.ms} ms` },
            { key: 'share', header: 'Share (%)', value: (r) => r.share, csv: (r) => r.share * 100 },
        ];
        expect(tableToCsv(columns, [{ q: 'a', ms: 1.5, share: 0.25 }])).toBe('Query,Total (ms),Share (%)\r\na,1.5,25\r\n');
    });
});

describe('exportFileName', () => {
    it('is safe on every OS', () => {
        expect(exportFileName('Statements / last hour', 'csv', new Date('2026-11-28T01:02:03Z'))).toBe(
            'optischema-statements-last-hour-2026-11-28T01-02.csv',
        );
        expect(exportFileName('***', 'json', new Date('2026-11-28T01:02:03Z'))).toBe('optischema-export-2026-11-28T01-02.json');
    });
});
