import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv, tableToCsv } from './csv';
import { AUDIT_COLUMNS, INDEX_HEALTH_COLUMNS, STATEMENT_COLUMNS } from './exports';
import type { AuditEvent, IndexHealthResponse, Statement } from './types';

const fixture = <T>(name: string) => JSON.parse(readFileSync(new URL(`../../testdata/${name}`, import.meta.url), 'utf8')) as T;

describe('export columns on recorded data', () => {
    it('writes statements with raw numbers and the share as a percentage', () => {
        const top = fixture<{ statements: (Statement & { share_pct: number })[] }>('top.json');
        const rows = top.statements.map((s) => ({ ...s, share: s.share_pct / 100 }));
        const csv = parseCsv(tableToCsv(STATEMENT_COLUMNS, rows));
        expect(csv[0]).toEqual([
            'fingerprint',
            'query',
            'calls',
            'total_ms',
            'mean_ms',
            'rows',
            'share_pct',
            'cache_hit_pct',
            'shared_blks_read',
            'temp_blks_written',
        ]);
        expect(csv[1]!.slice(0, 3)).toEqual(['5170ee7e5062f82e', rows[0]!.query, '160']);
        expect(csv[1]![6]).toBe('36.928');
        expect(csv).toHaveLength(rows.length + 1);
    });
    it('writes index health findings with their fix SQL', () => {
        const health = fixture<IndexHealthResponse>('check.json');
        const csv = parseCsv(tableToCsv(INDEX_HEALTH_COLUMNS, health.findings));
        expect(csv[0]).toEqual(['severity', 'check', 'object', 'table', 'message', 'fix_sql', 'wasted_bytes']);
        expect(csv[1]![5]).toBe('CREATE INDEX CONCURRENTLY ON public.order_items (order_id);');
    });
    it('writes audit events with their detail as JSON', () => {
        const audit = fixture<AuditEvent[]>('audit.json');
        const csv = parseCsv(tableToCsv(AUDIT_COLUMNS, audit));
        const rollback = csv.find((r) => r[4] === 'rollback')!;
        expect(rollback[7]).toBe('2');
        expect(JSON.parse(csv[1]![10]!)).toEqual(audit[0]!.detail);
    });
});
