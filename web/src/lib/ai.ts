// The AI assistant's answers (POST .../ai, docs/API.md): reading them defensively, ordering the
// suggestions, and the text of their badges and accounting. Pure.

import { formatCount, formatMs, formatSpeedup, plural, toNumber } from './format';
import type { AiAnswer, AiIndexIdea, AiRewrite, SuggestionStatus } from './types';

/// What leaves the building when someone asks.
export const AI_PRIVACY_NOTE =
    'Asking AI sends the query text, a runnable sample with literal values, the plan, and the schemas and statistics of the tables involved to the configured provider.';

/// The AI provider settings: the id of their section on the Settings page, and the link to it.
export const AI_SECTION_ID = 'ai-provider';
export const AI_SETTINGS_PATH = `/settings#${AI_SECTION_ID}`;

const STATUSES: readonly SuggestionStatus[] = ['verified', 'unverified', 'rejected'];

function text(v: unknown): string {
    return typeof v === 'string' ? v.trim() : '';
}

function texts(v: unknown): string[] {
    return Array.isArray(v) ? v.map(text).filter((s) => s !== '') : [];
}

function objects(v: unknown): Record<string, unknown>[] {
    return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x)) : [];
}

/// A suggestion's status; anything the dashboard does not know counts as unverified.
export function suggestionStatus(v: unknown): SuggestionStatus {
    return STATUSES.includes(v as SuggestionStatus) ? (v as SuggestionStatus) : 'unverified';
}

/// An answer as the dashboard can render it whatever the server sent: missing lists are empty,
/// numbers are numbers or null, each suggestion names its model (the answer's when it does not),
/// suggestions without SQL are dropped, and an empty error is no error.
export function normalizeAiAnswer(raw: unknown): AiAnswer {
    const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const model = text(o.model) || text(o.configured_model);
    const rewrites: AiRewrite[] = objects(o.rewrites)
        .map((r) => ({
            sql: text(r.sql),
            rationale: text(r.rationale),
            status: suggestionStatus(r.status),
            reason: text(r.reason),
            speedup: toNumber(r.speedup),
            planned_cost: toNumber(r.planned_cost),
            model: text(r.model) || model,
        }))
        .filter((r) => r.sql !== '');
    const index_ideas: AiIndexIdea[] = objects(o.index_ideas)
        .map((i) => ({
            ddl: text(i.ddl),
            rationale: text(i.rationale),
            status: suggestionStatus(i.status),
            reason: text(i.reason),
            cost_before: toNumber(i.cost_before),
            cost_after: toNumber(i.cost_after),
            model: text(i.model) || model,
        }))
        .filter((i) => i.ddl !== '');
    return {
        provider: text(o.provider),
        model,
        configured_model: text(o.configured_model) || undefined,
        from_cache: o.from_cache === true,
        input_tokens: toNumber(o.input_tokens) ?? 0,
        output_tokens: toNumber(o.output_tokens) ?? 0,
        cost_usd: toNumber(o.cost_usd),
        latency_ms: toNumber(o.latency_ms),
        explanation: typeof o.explanation === 'string' ? o.explanation : '',
        rewrites,
        index_ideas,
        risks: texts(o.risks),
        warnings: texts(o.warnings),
        error: text(o.error) || null,
    };
}

/// Verified first, then unverified, then rejected.
export function statusRank(s: SuggestionStatus): number {
    return STATUSES.indexOf(s);
}

/// How much cheaper an index idea makes the plan, as a ratio before/after (> 1 is better), or null.
export function costRatio(idea: Pick<AiIndexIdea, 'cost_before' | 'cost_after'>): number | null {
    const b = idea.cost_before;
    const a = idea.cost_after;
    if (b === null || a === null || b <= 0 || a <= 0) return null;
    return b / a;
}

/// Rewrites by status, the fastest verified first; the model's order otherwise.
export function sortRewrites(rewrites: readonly AiRewrite[]): AiRewrite[] {
    return rewrites
        .map((r, i) => ({ r, i }))
        .sort((x, y) => statusRank(x.r.status) - statusRank(y.r.status) || (y.r.speedup ?? 0) - (x.r.speedup ?? 0) || x.i - y.i)
        .map((x) => x.r);
}

/// Index ideas by status, the largest cost reduction first; the model's order otherwise.
export function sortIndexIdeas(ideas: readonly AiIndexIdea[]): AiIndexIdea[] {
    return ideas
        .map((idea, i) => ({ idea, i }))
        .sort(
            (x, y) =>
                statusRank(x.idea.status) - statusRank(y.idea.status) || (costRatio(y.idea) ?? 0) - (costRatio(x.idea) ?? 0) || x.i - y.i,
        )
        .map((x) => x.idea);
}

/// The badge tone (a CSS class of .badge) of a status.
export function statusTone(s: SuggestionStatus): string {
    return s === 'verified' ? 'improved' : s === 'rejected' ? 'rejected' : 'warn';
}

/// What the status means, for the badge's accessible label and title.
export function statusHelp(s: SuggestionStatus): string {
    if (s === 'verified') return 'verified by OptiSchema';
    if (s === 'rejected') return 'rejected by OptiSchema';
    return 'not verified: check it yourself';
}

/// US dollars: "$0.0012" under a cent, "$0.42", "$1,234.50"; null is "price unknown" (no price is
/// configured for the model).
export function formatUsd(usd: unknown): string {
    const v = toNumber(usd);
    if (v === null) return 'price unknown';
    if (v === 0) return '$0.00';
    const a = Math.abs(v);
    const sign = v < 0 ? '-' : '';
    if (a < 0.0001) return `${sign}<$0.0001`;
    const digits = a < 0.01 ? 4 : 2;
    return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/// "1,234 tokens in, 567 out".
export function formatTokens(input: unknown, output: unknown): string {
    return `${formatCount(toNumber(input) ?? 0)} tokens in, ${formatCount(toNumber(output) ?? 0)} out`;
}

/// The accounting line of an answer: who answered, tokens, cost and time (or that it came from the cache).
export function answerMeta(a: AiAnswer): string[] {
    const who = [a.provider, a.model].filter(Boolean).join(' · ') || 'unknown model';
    const parts = [who, formatTokens(a.input_tokens, a.output_tokens), formatUsd(a.cost_usd)];
    if (a.from_cache) parts.push('no request sent');
    else if (a.latency_ms !== null) parts.push(`answered in ${formatMs(a.latency_ms)}`);
    return parts;
}

function countText(items: readonly { status: SuggestionStatus }[], one: string, many: string): string {
    if (items.length === 0) return `no ${many}`;
    const counts = STATUSES.map((s) => [s, items.filter((i) => i.status === s).length] as const).filter(([, n]) => n > 0);
    return `${plural(items.length, one, many)} (${counts.map(([s, n]) => `${n} ${s}`).join(', ')})`;
}

/// A one-line summary of what the model suggested: "2 rewrites (1 verified, 1 rejected) · no index ideas".
export function suggestionSummary(a: Pick<AiAnswer, 'rewrites' | 'index_ideas'>): string {
    return `${countText(a.rewrites, 'rewrite', 'rewrites')} · ${countText(a.index_ideas, 'index idea', 'index ideas')}`;
}

/// What verification found for a rewrite: "2.4× faster" when verified with a speed-up (a rejected
/// rewrite's measured ratio is noise or a regression: its reason says which), then the reason.
export function rewriteOutcome(r: AiRewrite): string {
    const parts: string[] = [];
    if (r.status === 'verified' && r.speedup !== null && r.speedup > 0) parts.push(formatSpeedup(r.speedup));
    if (r.reason) parts.push(r.reason);
    return parts.join(' · ');
}

/// What what-if costing found for an index idea: "planner cost 12,345 → 123 (100× lower)" and the reason.
export function indexIdeaOutcome(i: AiIndexIdea): string {
    const parts: string[] = [];
    if (i.cost_before !== null && i.cost_after !== null) {
        const ratio = costRatio(i);
        const change = ratio === null ? '' : ratio >= 1.005 ? ` (${formatRatio(ratio)} lower)` : ratio <= 0.995 ? ` (${formatRatio(1 / ratio)} higher)` : ' (no change)';
        parts.push(`planner cost ${formatCount(i.cost_before)} → ${formatCount(i.cost_after)}${change}`);
    }
    if (i.reason) parts.push(i.reason);
    return parts.join(' · ');
}

function formatRatio(r: number): string {
    return `${r >= 100 ? formatCount(r) : r.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}×`;
}

/// The elapsed time of a running request: "0 s", "42 s", "1 min 05 s".
export function formatElapsed(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return `${s} s`;
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
