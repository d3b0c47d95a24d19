import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
    answerMeta,
    costRatio,
    formatElapsed,
    formatUsd,
    indexIdeaOutcome,
    normalizeAiAnswer,
    rewriteOutcome,
    sortIndexIdeas,
    sortRewrites,
    statusTone,
    suggestionStatus,
    suggestionSummary,
} from './ai';
import type { AiIndexIdea, AiRewrite } from './types';

// Recorded: what POST .../ai returns (testdata/README.md).
const served = JSON.parse(readFileSync(new URL('../../testdata/ai_answer.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const rewrite = (over: Partial<AiRewrite>): AiRewrite => ({ sql: 'SELECT 1', rationale: '', status: 'unverified', reason: '', speedup: null, model: 'm', ...over });
const idea = (over: Partial<AiIndexIdea>): AiIndexIdea => ({ ddl: 'CREATE INDEX', rationale: '', status: 'unverified', reason: '', cost_before: null, cost_after: null, model: 'm', ...over });

describe('normalizeAiAnswer', () => {
    it('keeps a served answer as it is', () => {
        const a = normalizeAiAnswer(served);
        expect(a).toMatchObject({ provider: 'openai', model: 'fake-gpt-e2e', configured_model: 'gpt-4o-mini', from_cache: false, cost_usd: null, error: null });
        expect(a.rewrites).toHaveLength(1);
        expect(a.rewrites[0]).toMatchObject({ status: 'rejected', speedup: 1.212, model: 'fake-gpt-e2e' });
        expect(a.index_ideas[0]).toMatchObject({ status: 'verified', cost_before: 14549.33, cost_after: 27.78, model: 'fake-gpt-e2e' });
        expect(a.risks).toHaveLength(1);
        expect(a.explanation).toMatch(/^## Where the time goes/);
    });
    it('copes with missing and mistyped fields', () => {
        const a = normalizeAiAnswer({
            model: 'local-model',
            rewrites: [{ sql: ' SELECT 2 ', status: 'maybe', speedup: '1.5' }, { rationale: 'no sql' }, 'text', null],
            index_ideas: 'none',
            risks: ['  ', 'lock time', 3],
            cost_usd: 'NaN',
            error: '',
        });
        expect(a.rewrites).toEqual([{ sql: 'SELECT 2', rationale: '', status: 'unverified', reason: '', speedup: 1.5, planned_cost: null, model: 'local-model' }]);
        expect(a.index_ideas).toEqual([]);
        expect(a.risks).toEqual(['lock time']);
        expect(a.warnings).toEqual([]);
        expect(a.cost_usd).toBeNull();
        expect(a.input_tokens).toBe(0);
        expect(a.explanation).toBe('');
        expect(a.error).toBeNull();
        expect(normalizeAiAnswer(null).rewrites).toEqual([]);
    });
    it('keeps the error of a provider that failed (HTTP 200 with error)', () => {
        const a = normalizeAiAnswer({ provider: 'gemini', model: 'gemini-2.5-flash', error: 'the provider answered 503: overloaded; try again later' });
        expect(a.error).toMatch(/503/);
        expect(a.rewrites).toEqual([]);
    });
});

describe('ordering', () => {
    it('puts verified first, the fastest first, then unverified, then rejected', () => {
        const sorted = sortRewrites([
            rewrite({ sql: 'r', status: 'rejected' }),
            rewrite({ sql: 'u', status: 'unverified' }),
            rewrite({ sql: 'v2', status: 'verified', speedup: 2 }),
            rewrite({ sql: 'v5', status: 'verified', speedup: 5 }),
        ]);
        expect(sorted.map((r) => r.sql)).toEqual(['v5', 'v2', 'u', 'r']);
    });
    it('keeps the model’s order among equals', () => {
        expect(sortRewrites([rewrite({ sql: 'a' }), rewrite({ sql: 'b' })]).map((r) => r.sql)).toEqual(['a', 'b']);
    });
    it('sorts index ideas by status and cost reduction', () => {
        const sorted = sortIndexIdeas([
            idea({ ddl: 'rejected', status: 'rejected', cost_before: 100, cost_after: 1 }),
            idea({ ddl: 'x10', status: 'verified', cost_before: 1000, cost_after: 100 }),
            idea({ ddl: 'x100', status: 'verified', cost_before: 1000, cost_after: 10 }),
        ]);
        expect(sorted.map((i) => i.ddl)).toEqual(['x100', 'x10', 'rejected']);
        expect(costRatio({ cost_before: 0, cost_after: 10 })).toBeNull();
    });
    it('reads unknown statuses as unverified and gives each a badge tone', () => {
        expect(suggestionStatus('VERIFIED')).toBe('unverified');
        expect(['verified', 'unverified', 'rejected'].map((s) => statusTone(suggestionStatus(s)))).toEqual(['improved', 'warn', 'rejected']);
    });
});

describe('text', () => {
    it('formats costs, with null as price unknown', () => {
        expect(formatUsd(null)).toBe('price unknown');
        expect(formatUsd(undefined)).toBe('price unknown');
        expect(formatUsd(0)).toBe('$0.00');
        expect(formatUsd(0.000878)).toBe('$0.0009');
        expect(formatUsd(0.00001)).toBe('<$0.0001');
        expect(formatUsd(0.42)).toBe('$0.42');
        expect(formatUsd(1234.5)).toBe('$1,234.50');
    });
    it('summarizes who answered and what it cost', () => {
        const a = normalizeAiAnswer(served);
        expect(answerMeta(a)).toEqual(['openai · fake-gpt-e2e', '1,293 tokens in, 180 out', 'price unknown', 'answered in 5.2 ms']);
        expect(answerMeta({ ...a, from_cache: true, cost_usd: 0.0012 })).toEqual([
            'openai · fake-gpt-e2e',
            '1,293 tokens in, 180 out',
            '$0.0012',
            'no request sent',
        ]);
    });
    it('counts the suggestions by status', () => {
        expect(suggestionSummary(normalizeAiAnswer(served))).toBe('1 rewrite (1 rejected) · 1 index idea (1 verified)');
        expect(suggestionSummary({ rewrites: [rewrite({ status: 'verified' }), rewrite({ status: 'rejected' }), rewrite({})], index_ideas: [] })).toBe(
            '3 rewrites (1 verified, 1 unverified, 1 rejected) · no index ideas',
        );
        expect(suggestionSummary({ rewrites: [], index_ideas: [] })).toBe('no rewrites · no index ideas');
    });
    it('says what verification found', () => {
        expect(rewriteOutcome(rewrite({ status: 'verified', speedup: 3.2, reason: 'same rows' }))).toBe('3.2× faster · same rows');
        const [rejected] = normalizeAiAnswer(served).rewrites;
        expect(rewriteOutcome(rejected!)).toMatch(/^the rewrite returns the same rows but is not faster/);
        expect(rewriteOutcome(rewrite({ reason: 'it returns other rows' }))).toBe('it returns other rows');
        expect(indexIdeaOutcome(idea({ cost_before: 22000, cost_after: 110, reason: 'used by the plan' }))).toBe(
            'planner cost 22,000 → 110 (200× lower) · used by the plan',
        );
        expect(indexIdeaOutcome(idea({ cost_before: 100, cost_after: 100 }))).toBe('planner cost 100 → 100 (no change)');
        expect(indexIdeaOutcome(idea({ cost_before: 100, cost_after: 250 }))).toBe('planner cost 100 → 250 (2.5× higher)');
    });
    it('shows elapsed seconds of a running request', () => {
        expect(formatElapsed(0)).toBe('0 s');
        expect(formatElapsed(42_900)).toBe('42 s');
        expect(formatElapsed(65_000)).toBe('1 min 05 s');
    });
});
