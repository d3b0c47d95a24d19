// API tokens as the Settings page shows and creates them: status, expiry choices, the roles one may give.

import { hasRole } from './api';
import { parseTime } from './format';
import type { ApiToken, Role } from './types';

export const TOKEN_ROLES: Role[] = ['viewer', 'operator', 'admin'];

/// The expiry choices of the create form; 'date' takes a calendar date, 'never' is for admins only.
export type ExpiryChoice = '7' | '30' | '90' | '365' | 'date' | 'never';
export const DEFAULT_EXPIRY: ExpiryChoice = '90';

export type TokenStatus = 'active' | 'expired' | 'revoked';

/// Whether a token still works at `now` (ms): revoked wins over expired.
export function tokenStatus(token: Pick<ApiToken, 'expires_at' | 'revoked_at'>, now: number = Date.now()): TokenStatus {
    if (token.revoked_at) return 'revoked';
    const expires = parseTime(token.expires_at);
    if (expires !== null && expires <= now) return 'expired';
    return 'active';
}

/// The roles someone with `role` may give a token: theirs and those below.
export function grantableRoles(role: Role | null | undefined): Role[] {
    return TOKEN_ROLES.filter((r) => hasRole(role, r));
}

/// The expiry choices offered to someone with `role` ("never" only to admins).
export function expiryChoices(role: Role | null | undefined): { value: ExpiryChoice; label: string }[] {
    const out: { value: ExpiryChoice; label: string }[] = [
        { value: '7', label: '7 days' },
        { value: '30', label: '30 days' },
        { value: '90', label: '90 days' },
        { value: '365', label: '1 year' },
        { value: 'date', label: 'On a date…' },
    ];
    if (hasRole(role, 'admin')) out.push({ value: 'never', label: 'Never (admins only)' });
    return out;
}

/// The `expires_at` to send for a choice: an ISO time, 'never', or an error message for a bad date.
/// A chosen date means the end of that day in the browser's time zone.
export function expiresAtFor(choice: ExpiryChoice, date: string, now: number = Date.now()): { value: string } | { error: string } {
    if (choice === 'never') return { value: 'never' };
    if (choice === 'date') {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
        if (!m) return { error: 'Choose the date the token expires.' };
        const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
        if (Number.isNaN(end.getTime()) || end.getMonth() !== Number(m[2]) - 1) return { error: 'That date does not exist.' };
        if (end.getTime() <= now) return { error: 'The expiry date must be in the future.' };
        return { value: end.toISOString() };
    }
    return { value: new Date(now + Number(choice) * 86_400_000).toISOString() };
}

/// A token's name as the server accepts it: 1 to 100 characters without control characters.
export function tokenNameError(name: string): string | null {
    const trimmed = name.trim();
    if (!trimmed) return 'Give the token a name, e.g. "ci" or "grafana".';
    if (trimmed.length > 100) return 'A token name has at most 100 characters.';
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(trimmed)) return 'A token name cannot hold control characters.';
    return null;
}
