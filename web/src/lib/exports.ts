// The columns of every table the dashboard exports as CSV: raw values with stable, snake_case
// headers, so a spreadsheet or a script reads the same file whatever the page shows. Pure.

import type { ColumnDef } from './table';
import type { AuditEvent, IndexHealthFinding, Recommendation, Statement } from './types';
import { savedMs, savedSharePct } from './recommendations';

export const STATEMENT_COLUMNS: ColumnDef<Statement>[] = [
    { key: 'fingerprint', header: 'fingerprint', value: (s) => s.fingerprint },
    { key: 'query', header: 'query', value: (s) => s.query },
    { key: 'calls', header: 'calls', value: (s) => s.calls },
    { key: 'total_ms', header: 'total_ms', value: (s) => s.total_ms },
    { key: 'mean_ms', header: 'mean_ms', value: (s) => s.mean_ms },
    { key: 'rows', header: 'rows', value: (s) => s.rows },
    { key: 'share_pct', header: 'share_pct', value: (s) => (typeof s.share === 'number' ? Math.round(s.share * 100000) / 1000 : null) },
    { key: 'cache_hit_pct', header: 'cache_hit_pct', value: (s) => s.cache_hit_pct },
    { key: 'shared_blks_read', header: 'shared_blks_read', value: (s) => s.shared_blks_read },
    { key: 'temp_blks_written', header: 'temp_blks_written', value: (s) => s.temp_blks_written },
];

export const RECOMMENDATION_COLUMNS: ColumnDef<Recommendation>[] = [
    { key: 'id', header: 'id', value: (r) => r.id },
    { key: 'kind', header: 'kind', value: (r) => r.kind },
    { key: 'title', header: 'title', value: (r) => r.title },
    { key: 'saved_ms', header: 'projected_saved_ms', value: (r) => savedMs(r) },
    { key: 'saved_share_pct', header: 'projected_saved_share_pct', value: (r) => savedSharePct(r) },
    { key: 'size', header: 'estimated_size_bytes', value: (r) => r.evidence?.estimated_size_bytes ?? null },
    { key: 'verdict', header: 'validation_verdict', value: (r) => r.validation?.verdict ?? null },
    { key: 'speedup', header: 'validation_speedup', value: (r) => r.validation?.speedup ?? null },
    { key: 'sql', header: 'sql', value: (r) => r.sql },
    { key: 'rollback_sql', header: 'rollback_sql', value: (r) => r.rollback_sql },
    { key: 'updated_at', header: 'updated_at', value: (r) => r.updated_at },
];

export const AUDIT_COLUMNS: ColumnDef<AuditEvent>[] = [
    { key: 'id', header: 'id', value: (e) => e.id },
    { key: 'at', header: 'at', value: (e) => e.at },
    { key: 'actor', header: 'actor', value: (e) => e.actor },
    { key: 'target', header: 'target', value: (e) => e.target },
    { key: 'action', header: 'action', value: (e) => e.action },
    { key: 'outcome', header: 'outcome', value: (e) => e.outcome },
    { key: 'duration_ms', header: 'duration_ms', value: (e) => e.duration_ms },
    { key: 'related_id', header: 'related_id', value: (e) => e.related_id },
    { key: 'sql', header: 'sql', value: (e) => e.sql },
    { key: 'error', header: 'error', value: (e) => e.error },
    { key: 'detail', header: 'detail', value: (e) => e.detail },
];

export const INDEX_HEALTH_COLUMNS: ColumnDef<IndexHealthFinding>[] = [
    { key: 'severity', header: 'severity', value: (f) => f.severity },
    { key: 'check', header: 'check', value: (f) => f.check },
    { key: 'object', header: 'object', value: (f) => f.object },
    { key: 'table', header: 'table', value: (f) => f.table },
    { key: 'message', header: 'message', value: (f) => f.message },
    { key: 'fix_sql', header: 'fix_sql', value: (f) => f.fix_sql },
    { key: 'wasted_bytes', header: 'wasted_bytes', value: (f) => f.wasted_bytes },
];
