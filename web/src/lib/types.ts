// Types of the HTTP API under the names the dashboard uses. Each is a schema of docs/openapi.json
// (src/lib/api-schema.gen.ts, `npm run gen:types`), which the server's tests check against its real
// responses; the few that differ say why.

import type { components } from './api-schema.gen';

type Schemas = components['schemas'];

/// T's named fields without the catch-all `[key: string]: unknown` of an open schema (which would
/// swallow them in Omit), with U's fields replacing T's.
type With<T, U> = Omit<{ [K in keyof T as string extends K ? never : K]: T[K] }, keyof U> & U;

export type Role = Schemas['Role'];

/// Who is logged in.
export type User = Schemas['Principal'];
export type LoginResponse = Schemas['LoginResponse'];
export type MeResponse = Schemas['Me'];

export type LatencySample = Schemas['LatencySample'];

/** 'remote': another instance sharing the store collects it (a fleet). */
export type TargetState = Schemas['TargetStatus']['state'];
export type TargetStatus = Schemas['TargetStatus'];
export type Target = Schemas['Target'];

export type CheckStatus = Schemas['Check']['status'];
export type Check = Schemas['Check'];
export type TargetTestResponse = Schemas['ConnectionTest'];

/// The body of POST /targets.
export type TargetCreate = Schemas['TargetCreate'];
/// The body of PUT /targets/{id}: an absent name or DSN is kept.
export type TargetUpdate = Schemas['TargetUpdate'];

export type Statement = Schemas['Statement'];
export type StatementsResponse = Schemas['StatementList'];
export type HistoryPoint = Schemas['HistoryPoint'];
export type StatementDetail = Schemas['StatementDetail'];

/// The plan node lib/plan.ts lays out, written by hand: looser than Schemas['PlanNode'] (what the
/// server sends, which fits it), as every field but node_type may be missing, and it also accepts
/// total_ms, rows and loops, an older spelling of inclusive_ms, actual_rows and actual_loops.
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

export type Severity = Schemas['Finding']['severity'];
export type Finding = Schemas['Finding'];
export type ExplainParam = Schemas['SampleParam'];
export type ExplainResponse = Schemas['ExplainReport'];

export type OverviewResponse = Schemas['Overview'];
export type IndexHealthFinding = Schemas['IndexHealthFinding'];
export type IndexHealthResponse = Schemas['IndexHealth'];

export type ServedQuery = Schemas['ServedQuery'];
export type RecommendationEvidence = Schemas['RecommendationEvidence'];
export type Timing = Schemas['Timing'];

export type DiffChange = Schemas['PlanDiffNode']['change'];
export type PlanDiffNode = Schemas['PlanDiffNode'];
export type PlanDiffJson = Schemas['PlanDiff'];

export type Verdict = Schemas['Verdict'];
export type QueryValidation = Schemas['QueryValidation'];
export type Validation = Schemas['Validation'];
export type Recommendation = Schemas['Recommendation'];

export type ChangeResponse = Schemas['ChangeResult'];
export type ImpactStatement = Schemas['ImpactStatement'];
export type ImpactResponse = Schemas['ImpactReport'];

export type AuditEvent = Schemas['AuditEvent'];

/// A user as GET /users lists them.
export type ManagedUser = Schemas['User'];

/// An API token as GET /tokens lists it (never the token itself), and the answer of POST /tokens (the token, once).
export type ApiToken = Schemas['ApiToken'];
export type ApiTokenCreated = Schemas['ApiTokenCreated'];

export type SnapshotEvent = Schemas['SnapshotEvent'];
export type StatusEvent = Schemas['StatusEvent'];
export type StreamData = SnapshotEvent | StatusEvent;
export type StreamMessage = Schemas['StreamMessage'];

export type LlmProvider = Schemas['LlmSettingsInput']['provider'];
export type LlmCacheStats = Schemas['LlmCacheStats'];

/// GET /settings/llm. The API key itself is never sent, only whether one is stored.
export type LlmSettings = Schemas['LlmSettings'];

/// The body of PUT /settings/llm and POST /settings/llm/test. Without api_key the stored key is
/// kept (or used, for a test); "" removes it.
export type LlmSettingsInput = Schemas['LlmSettingsInput'];
export type LlmTestResponse = Schemas['LlmTestResult'];

export type SuggestionStatus = Schemas['SuggestionStatus'];

// The AI types are answers as lib/ai.ts's normalizeAiAnswer leaves them, which the pages render:
// each suggestion names its model (the answer's when the server left it out), and a latency the
// server did not send is null.

/// A rewrite the model proposed, with OptiSchema's verdict.
export type AiRewrite = With<Schemas['AiRewrite'], { model: string }>;
export type AiIndexIdea = With<Schemas['AiIndexIdea'], { model: string }>;

/// POST .../ai. A provider that fails still answers 200 with `error` set.
export type AiAnswer = With<
    Schemas['AiAnswer'],
    { latency_ms: number | null; rewrites: AiRewrite[]; index_ideas: AiIndexIdea[] }
>;
