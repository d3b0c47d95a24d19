// Types of the HTTP API (docs/API.md). Fields the contract marks optional or that older servers
// may omit are optional here, so every page must cope with their absence.

export type Role = 'viewer' | 'operator' | 'admin';

export interface User {
    username: string;
    role: Role;
}

export interface LoginResponse {
    user: User;
    csrf_token: string;
}

export interface MeResponse {
    user: User | null;
    auth_enabled: boolean;
}

export interface LatencySample {
    at: string;
    connect_ms: number | null;
    p50_ms: number | null;
    p95_ms: number | null;
    error?: string | null;
}

/** 'remote': another instance sharing the store collects it (a fleet). */
export type TargetState = 'starting' | 'up' | 'down' | 'remote';

export interface TargetStatus {
    state: TargetState;
    error?: string | null;
    last_snapshot_at?: string | null;
    down_since?: string | null;
    snapshots?: number | null;
    latency?: LatencySample | null;
}

export interface Target {
    id: number | string;
    name: string;
    dsn_display: string;
    interval_s: number;
    production: boolean;
    source: 'config' | 'api' | 'cli';
    status?: TargetStatus | null;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
    name: string;
    status: CheckStatus;
    message: string;
    fix?: string | null;
}

export interface TargetTestResponse {
    ok: boolean;
    server_version?: string | null;
    checks: Check[];
}

export interface TargetInput {
    name: string;
    dsn?: string;
    interval_s: number;
    production: boolean;
}

export interface Statement {
    fingerprint: string;
    query: string;
    calls: number;
    total_ms: number;
    mean_ms: number;
    rows: number;
    share: number; // 0..1
    cache_hit_pct: number | null;
    shared_blks_read?: number | null;
    temp_blks_written?: number | null;
}

export interface StatementsResponse {
    from: string;
    to: string;
    total_ms: number;
    statements: Statement[];
}

export interface HistoryPoint {
    at: string;
    interval_ms: number;
    calls: number;
    total_ms: number;
    mean_ms: number;
    rows: number;
}

export interface StatementDetail {
    fingerprint: string;
    query: string;
    totals: Statement | null;
    history: HistoryPoint[];
}

/// One plan node as the server sends it. `optischema explain --format json` writes inclusive_ms,
/// actual_rows and actual_loops (ANALYZE only); docs/API.md names them total_ms, rows and loops.
/// lib/plan.ts accepts both spellings.
export interface PlanNodeJson {
    id?: number;
    node_type: string;
    label?: string;
    relation?: string | null;
    index?: string;
    startup_cost?: number;
    total_cost?: number;
    plan_rows?: number;
    actual_rows?: number | null;
    actual_loops?: number | null;
    rows?: number | null;
    loops?: number | null;
    inclusive_ms?: number | null;
    total_ms?: number | null;
    exclusive_ms?: number | null;
    filter?: string;
    index_cond?: string;
    join_filter?: string;
    hash_cond?: string;
    recheck_cond?: string;
    merge_cond?: string;
    rows_removed_by_filter?: number;
    buffers?: { shared_hit: number; shared_read: number; temp_read: number; temp_written: number };
    children?: PlanNodeJson[];
}

export type Severity = 'high' | 'medium' | 'low';

export interface Finding {
    rule: string;
    severity: Severity;
    node: string;
    node_id?: number;
    relation: string | null;
    evidence: Record<string, number | string>;
    message: string;
    suggestion: string;
    impact_ms?: number;
}

export interface ExplainParam {
    number: number;
    type: string;
    value: string;
    source: string;
}

export interface ExplainResponse {
    method: string;
    sql: string;
    params: ExplainParam[];
    analyzed?: boolean;
    planning_ms?: number | null;
    execution_ms?: number | null;
    plan: PlanNodeJson;
    findings: Finding[];
}

export interface OverviewResponse {
    target: Target;
    checks: Check[];
    top: Statement[];
    total_ms_last_hour: number;
    last_snapshot_at: string | null;
}

export interface IndexHealthFinding {
    check: string;
    severity: Severity;
    object: string;
    table: string;
    message: string;
    fix_sql: string;
    wasted_bytes: number;
}

export interface IndexHealthResponse {
    findings: IndexHealthFinding[];
    summary: { indexes: number; tables: number; stats_age_s: number | null };
}

export interface ServedQuery {
    fingerprint: string;
    query: string;
    sql?: string;
    cost_before?: number;
    cost_after?: number;
}

export interface RecommendationEvidence {
    queries?: ServedQuery[];
    impact?: {
        weighted_by?: string;
        saved_ms?: number | null;
        saved_share_pct?: number | null;
        write_cost_ms?: number | null;
        saved_ms_per_hour?: number | null;
    };
    estimated_size_bytes?: number | null;
    confidence?: string;
    reason?: string;
    write_overhead?: string;
    table?: string;
    method?: string;
    columns?: string[];
    [key: string]: unknown;
}

export interface Timing {
    median_ms: number;
    p25_ms?: number;
    p75_ms?: number;
    p95_ms: number;
    min_ms?: number;
    max_ms?: number;
    runs_ms?: number[];
}

export type DiffChange = 'same' | 'changed' | 'added' | 'removed';

export interface PlanDiffNode {
    change: DiffChange;
    before: string | null;
    after: string | null;
    before_ms: number;
    after_ms: number;
    before_rows: number;
    after_rows: number;
    before_blocks: number;
    after_blocks: number;
}

export interface PlanDiffJson {
    join_order_changed: boolean;
    before_scan_order: string[];
    after_scan_order: string[];
    before_cost: number;
    after_cost: number;
    before_ms: number | null;
    after_ms: number | null;
    before_blocks: number;
    after_blocks: number;
    nodes: PlanDiffNode[];
}

export type Verdict = 'improved' | 'no_change' | 'regression' | 'rejected';

export interface QueryValidation {
    query: string;
    sql_before?: string;
    sql_after?: string;
    verdict: Verdict;
    reason: string;
    speedup?: number | null;
    before: Timing | null;
    after: Timing | null;
    equivalent?: boolean | null;
    plan_diff: PlanDiffJson | null;
    plan_before: PlanNodeJson | null;
    plan_after: PlanNodeJson | null;
}

export interface Validation {
    verdict: Verdict;
    speedup: number;
    before: { median_ms: number; p95_ms: number };
    after: { median_ms: number; p95_ms: number };
    equivalent: boolean | null;
    plan_diff: PlanDiffJson | null;
    reason: string;
    sandbox?: {
        kind: string;
        description: string;
        tables?: { table: string; target_rows: number; copied_rows: number; sample_percent: number }[];
        notes?: string[];
    } | null;
    queries: QueryValidation[];
    audit_id?: number | null;
    index_build_ms?: number | null;
    runs?: number;
}

export interface Recommendation {
    id: string;
    kind: 'index' | 'rewrite';
    title: string;
    sql: string;
    rollback_sql: string;
    evidence: RecommendationEvidence;
    validation: Validation | null;
    updated_at: string;
}

export interface ChangeResponse {
    action_id: number;
    message: string;
}

export interface ImpactStatement {
    fingerprint: string;
    query: string;
    calls_before: number;
    mean_ms_before: number;
    calls_since: number;
    mean_ms_since: number | null;
    saved_ms: number;
}

export interface ImpactResponse {
    action: number;
    index: string;
    saved_ms: number;
    statements: ImpactStatement[];
}

export interface AuditEvent {
    id: number;
    at: string;
    actor: string;
    target: string;
    action: string;
    sql: string;
    outcome: string;
    error: string | null;
    duration_ms: number | null;
    related_id: number | null;
    detail: unknown;
}

export interface ManagedUser {
    id: number | string;
    username: string;
    role: Role;
    created_at: string;
}

export interface SnapshotEvent {
    kind: 'snapshot';
    target_id: number | string;
    snapshot_id?: number;
    taken_at: string;
    total_ms: number;
    statements: Statement[];
}

export interface StatusEvent {
    kind: 'status';
    target_id: number | string;
    status: TargetStatus;
}

export type StreamData = SnapshotEvent | StatusEvent;

export interface StreamMessage {
    type: 'event';
    topic: string;
    data: StreamData;
}

export type LlmProvider = 'openai' | 'gemini';

export interface LlmCacheStats {
    entries: number;
    hits: number;
    misses: number;
    hit_rate: number; // 0..1
    tokens_saved: number;
    cost_saved_usd: number;
}

/// GET /settings/llm. The API key itself is never sent, only whether one is stored.
export interface LlmSettings {
    configured: boolean;
    source: 'dashboard' | 'config' | 'none';
    /// null when no provider is set (source none).
    provider: LlmProvider | null;
    base_url: string;
    model: string;
    has_key: boolean;
    timeout_s: number;
    input_usd_per_mtok: number | null;
    output_usd_per_mtok: number | null;
    /// Why the saved settings cannot be used now (e.g. the key file is gone); null when fine.
    problem?: string | null;
    cache?: LlmCacheStats | null;
}

/// The body of PUT /settings/llm and POST /settings/llm/test. Without api_key the stored key is
/// kept (or used, for a test); "" removes it.
export interface LlmSettingsInput {
    provider: LlmProvider;
    base_url: string;
    model: string;
    timeout_s?: number;
    /// US dollars per million tokens: both or neither.
    input_usd_per_mtok?: number | null;
    output_usd_per_mtok?: number | null;
    api_key?: string;
}

export interface LlmTestResponse {
    ok: boolean;
    provider?: string;
    model?: string;
    latency_ms?: number | null;
    error?: string | null;
}

export type SuggestionStatus = 'verified' | 'rejected' | 'unverified';

export interface AiRewrite {
    sql: string;
    rationale: string;
    status: SuggestionStatus;
    reason: string;
    speedup: number | null;
    planned_cost?: number | null;
    /// The model that proposed it.
    model: string;
}

export interface AiIndexIdea {
    ddl: string;
    rationale: string;
    status: SuggestionStatus;
    reason: string;
    cost_before: number | null;
    cost_after: number | null;
    model: string;
}

/// POST .../ai. A provider that fails still answers 200 with `error` set.
export interface AiAnswer {
    provider: string;
    model: string;
    configured_model?: string;
    from_cache: boolean;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number | null;
    latency_ms: number | null;
    explanation: string;
    rewrites: AiRewrite[];
    index_ideas: AiIndexIdea[];
    risks: string[];
    warnings: string[];
    error: string | null;
}
