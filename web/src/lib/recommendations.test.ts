import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changeState, checkCounts, openApplies, rankRecommendations, savedMs, sortChecks } from './recommendations';
import type { AuditEvent, Check, Recommendation } from './types';

const audit = JSON.parse(readFileSync(new URL('../../testdata/audit.json', import.meta.url), 'utf8')) as AuditEvent[];

const rec = (id: string, saved: number | null, share: number | undefined, verdict?: 'improved'): Recommendation => ({
    id,
    target_id: 1,
    kind: 'index',
    title: id,
    sql: '',
    rollback_sql: '',
    evidence: { impact: { saved_ms: saved, saved_share_pct: share } },
    validation: verdict ? ({ verdict } as Recommendation['validation']) : null,
    updated_at: '',
});

describe('rankRecommendations', () => {
    it('ranks by measured time saved, then share, then proof, then id', () => {
        const ranked = rankRecommendations([
            rec('c', null, 5),
            rec('a', 100, 1),
            rec('b', 2000, 10),
            rec('e', null, 5, 'improved'),
            rec('d', null, undefined),
        ]);
        expect(ranked.map((r) => r.id)).toEqual(['b', 'a', 'e', 'c', 'd']);
        expect(savedMs(ranked[0]!)).toBe(2000);
    });
    it('tolerates missing evidence', () => {
        const bare = { id: 'x', kind: 'index', title: 'x', sql: '', rollback_sql: '', validation: null, updated_at: '' } as unknown as Recommendation;
        expect(rankRecommendations([bare])).toHaveLength(1);
        expect(savedMs(bare)).toBeNull();
    });
});

describe('changeState from the recorded audit log', () => {
    it('sees the apply and its rollback', () => {
        expect(changeState('idx-5bfa62440fba', audit)).toEqual({
            applyId: 2,
            appliedAt: '2026-11-28T01:55:50.922Z',
            rollbackId: 3,
            validateId: 1,
        });
        expect(openApplies(audit)).toEqual([]);
    });
    it('sees an apply still in place once its rollback is gone', () => {
        const withoutRollback = audit.filter((e) => e.action !== 'rollback');
        expect(changeState('idx-5bfa62440fba', withoutRollback).rollbackId).toBeNull();
        expect(openApplies(withoutRollback).map((e) => e.id)).toEqual([2]);
    });
    it('knows nothing of other recommendations', () => {
        expect(changeState('idx-other', audit)).toEqual({ applyId: null, appliedAt: null, rollbackId: null, validateId: null });
    });
});

describe('checks', () => {
    const checks: Check[] = [
        { name: 'b', status: 'pass', message: '', fix: '' },
        { name: 'z', status: 'warn', message: '', fix: '' },
        { name: 'a', status: 'warn', message: '', fix: '' },
        { name: 'c', status: 'fail', message: '', fix: '' },
    ];
    it('orders failures, then warnings, then passes', () => {
        expect(sortChecks(checks).map((c) => c.name)).toEqual(['c', 'a', 'z', 'b']);
        expect(checkCounts(checks)).toEqual({ pass: 1, warn: 2, fail: 1 });
    });
});
