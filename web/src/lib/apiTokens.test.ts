import { describe, expect, it } from 'vitest';
import { expiresAtFor, expiryChoices, grantableRoles, tokenNameError, tokenStatus } from './apiTokens';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);

describe('token status', () => {
    it('is active until it expires, and revoked wins over expired', () => {
        expect(tokenStatus({ expires_at: '2030-01-16T00:00:00Z', revoked_at: null }, NOW)).toBe('active');
        expect(tokenStatus({ expires_at: null, revoked_at: null }, NOW)).toBe('active');
        expect(tokenStatus({ expires_at: '2030-01-15T12:00:00Z', revoked_at: null }, NOW)).toBe('expired');
        expect(tokenStatus({ expires_at: '2030-01-01T00:00:00Z', revoked_at: '2029-12-01T00:00:00Z' }, NOW)).toBe('revoked');
    });
});

describe('what a creator may choose', () => {
    it('offers roles up to the creator\'s own', () => {
        expect(grantableRoles('viewer')).toEqual(['viewer']);
        expect(grantableRoles('operator')).toEqual(['viewer', 'operator']);
        expect(grantableRoles('admin')).toEqual(['viewer', 'operator', 'admin']);
        expect(grantableRoles(null)).toEqual([]);
    });
    it('offers "never" to admins only', () => {
        expect(expiryChoices('admin').map((c) => c.value)).toContain('never');
        expect(expiryChoices('operator').map((c) => c.value)).not.toContain('never');
    });
});

describe('expires_at', () => {
    it('counts days from now', () => {
        expect(expiresAtFor('90', '', NOW)).toEqual({ value: new Date(NOW + 90 * 86_400_000).toISOString() });
        expect(expiresAtFor('7', '', NOW)).toEqual({ value: '2030-01-22T12:00:00.000Z' });
    });
    it('takes the end of a chosen day, which must be in the future', () => {
        const r = expiresAtFor('date', '2030-02-01', NOW);
        expect('value' in r && new Date(r.value).getDate()).toBe(1);
        expect('value' in r && new Date(r.value).getHours()).toBe(23);
        expect(expiresAtFor('date', '2029-12-31', NOW)).toEqual({ error: 'The expiry date must be in the future.' });
        expect(expiresAtFor('date', '', NOW)).toHaveProperty('error');
        expect(expiresAtFor('date', '2030-02-31', NOW)).toEqual({ error: 'That date does not exist.' });
    });
    it('sends "never" as is', () => {
        expect(expiresAtFor('never', '', NOW)).toEqual({ value: 'never' });
    });
});

describe('token names', () => {
    it('needs 1 to 100 characters without control characters', () => {
        expect(tokenNameError('ci')).toBeNull();
        expect(tokenNameError('  ')).toMatch(/name/);
        expect(tokenNameError('x'.repeat(101))).toMatch(/100/);
        expect(tokenNameError('a\nb')).toMatch(/control/);
    });
});
