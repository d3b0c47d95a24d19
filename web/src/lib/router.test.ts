import { describe, expect, it } from 'vitest';
import { buildPath, matchRoute, queryPath, safeNext } from './router';

describe('matchRoute', () => {
    it('matches every page and decodes parameters', () => {
        expect(matchRoute('/').name).toBe('overview');
        expect(matchRoute('/queries').name).toBe('queries');
        expect(matchRoute('/queries/').name).toBe('queries');
        const q = matchRoute('/queries/5170ee7e5062f82e', '?range=1h');
        expect(q).toMatchObject({ name: 'query', params: { fingerprint: '5170ee7e5062f82e' } });
        expect(q.query.get('range')).toBe('1h');
        expect(matchRoute('/queries/a%2Fb').params.fingerprint).toBe('a/b');
        expect(matchRoute('/queries/%E0%A4%A').params.fingerprint).toBe('%E0%A4%A');
        for (const p of ['optimizations', 'analytics', 'indexes', 'audit', 'settings', 'exports', 'report', 'login']) {
            expect(matchRoute(`/${p}`).name).toBe(p);
        }
        expect(matchRoute('/nope').name).toBe('notfound');
    });
});

describe('paths', () => {
    it('builds paths with queries, leaving out empty values', () => {
        expect(buildPath('/queries', { search: 'orders id', range: undefined, x: '' })).toBe('/queries?search=orders+id');
        expect(queryPath('a/b')).toBe('/queries/a%2Fb');
    });
    it('only follows same-origin paths after login', () => {
        expect(safeNext('/queries?x=1')).toBe('/queries?x=1');
        expect(safeNext('//evil.example')).toBe('/');
        expect(safeNext('https://evil.example')).toBe('/');
        expect(safeNext('/\\evil.example')).toBe('/');
        expect(safeNext('/login')).toBe('/');
        expect(safeNext(null)).toBe('/');
    });
});
