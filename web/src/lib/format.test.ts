import { describe, expect, it } from 'vitest';
import {
    MISSING,
    displayText,
    ellipsize,
    formatBytes,
    formatCompact,
    formatCount,
    formatDateTime,
    formatMs,
    formatPct,
    formatRelative,
    formatSeconds,
    formatShare,
    formatSpeedup,
    parseTime,
    plural,
    toNumber,
} from './format';

describe('formatMs', () => {
    it('picks a unit and precision by magnitude', () => {
        expect(formatMs(0)).toBe('0 ms');
        expect(formatMs(0.0004)).toBe('<0.001 ms');
        expect(formatMs(0.014)).toBe('0.014 ms');
        expect(formatMs(4.25)).toBe('4.3 ms');
        expect(formatMs(135.775)).toBe('136 ms');
        expect(formatMs(21723.939)).toBe('21.72 s');
        expect(formatMs(7 * 60_000)).toBe('7.0 min');
        expect(formatMs(2.5 * 3_600_000)).toBe('2.5 h');
        expect(formatMs(3 * 86_400_000)).toBe('3.0 d');
        expect(formatMs(-12.5)).toBe('-12.5 ms');
    });
    it('never shows NaN or undefined', () => {
        for (const v of [NaN, undefined, null, Infinity, 'abc', {}]) expect(formatMs(v)).toBe(MISSING);
        expect(formatMs('12.5')).toBe('12.5 ms');
    });
});

describe('formatBytes', () => {
    it('uses powers of 1024 like pg_size_pretty', () => {
        expect(formatBytes(812)).toBe('812 B');
        expect(formatBytes(47022080)).toBe('44.8 MB');
        expect(formatBytes(1024)).toBe('1.0 kB');
        expect(formatBytes(5 * 1024 ** 4)).toBe('5.0 TB');
        expect(formatBytes(-1)).toBe(MISSING);
        expect(formatBytes(undefined)).toBe(MISSING);
    });
});

describe('counts and percentages', () => {
    it('formats counts with separators and compactly', () => {
        expect(formatCount(1234567)).toBe('1,234,567');
        expect(formatCount(2.6)).toBe('3');
        expect(formatCompact(950)).toBe('950');
        expect(formatCompact(12345)).toBe('12k');
        expect(formatCompact(1500)).toBe('1.5k');
        expect(formatCompact(4_500_000)).toBe('4.5M');
        expect(formatCompact(2_100_000_000)).toBe('2.1B');
        expect(formatCount(NaN)).toBe(MISSING);
    });
    it('formats percentages and shares', () => {
        expect(formatPct(36.928)).toBe('36.9 %');
        expect(formatPct(0.01)).toBe('<0.1 %');
        expect(formatPct(0)).toBe('0.0 %');
        expect(formatShare(0.36928)).toBe('36.9 %');
        expect(formatShare(null)).toBe(MISSING);
    });
    it('formats speed-ups both ways', () => {
        expect(formatSpeedup(2499.778)).toBe('2,500× faster');
        expect(formatSpeedup(1.84)).toBe('1.8× faster');
        expect(formatSpeedup(0.5)).toBe('2.0× slower');
        expect(formatSpeedup(1)).toBe('no change');
        expect(formatSpeedup(0)).toBe(MISSING);
    });
});

describe('times', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    it('parses ISO strings, Dates and milliseconds', () => {
        expect(parseTime('2026-11-28T01:02:03.456Z')).toBe(Date.parse('2026-11-28T01:02:03.456Z'));
        expect(parseTime(new Date(5))).toBe(5);
        expect(parseTime(42)).toBe(42);
        expect(parseTime('not a time')).toBeNull();
        expect(parseTime(undefined)).toBeNull();
    });
    it('formats relative times', () => {
        expect(formatRelative('2026-11-28T11:59:59.500Z', now)).toBe('just now');
        expect(formatRelative('2026-11-28T11:59:48Z', now)).toBe('12 s ago');
        expect(formatRelative('2026-11-28T11:55:00Z', now)).toBe('5 min ago');
        expect(formatRelative('2026-11-28T09:30:00Z', now)).toBe('2 h 30 min ago');
        expect(formatRelative('2026-11-25T10:00:00Z', now)).toBe('3 d 2 h ago');
        expect(formatRelative('2026-11-28T12:00:30Z', now)).toBe('in 30 s');
        expect(formatRelative(null, now)).toBe(MISSING);
    });
    it('formats durations in seconds', () => {
        expect(formatSeconds(45)).toBe('45 s');
        expect(formatSeconds(125)).toBe('2 min 5 s');
        expect(formatSeconds(720)).toBe('12 min');
        expect(formatSeconds(-1)).toBe(MISSING);
    });
    it('formats timestamps in UTC', () => {
        expect(formatDateTime('2026-11-28T01:02:03.456Z', true)).toBe('2026-11-28 01:02:03Z');
        expect(formatDateTime('garbage')).toBe(MISSING);
    });
});

describe('displayText and helpers', () => {
    it('never returns undefined, null or [object Object]', () => {
        expect(displayText(undefined)).toBe(MISSING);
        expect(displayText(null)).toBe(MISSING);
        expect(displayText('')).toBe(MISSING);
        expect(displayText(NaN)).toBe(MISSING);
        expect(displayText(true)).toBe('yes');
        expect(displayText({ a: 1 })).toBe('{"a":1}');
        expect(displayText(1234.5678)).toBe('1,235');
        expect(displayText(0.12345)).toBe('0.123');
    });
    it('reads numbers strictly', () => {
        expect(toNumber('3')).toBe(3);
        expect(toNumber(' ')).toBeNull();
        expect(toNumber(NaN)).toBeNull();
    });
    it('ellipsizes and pluralizes', () => {
        expect(ellipsize('SELECT  *\n FROM t', 100)).toBe('SELECT * FROM t');
        expect(ellipsize('abcdefghij', 5)).toBe('abcd…');
        expect(ellipsize(undefined, 5)).toBe(MISSING);
        expect(plural(1, 'query', 'queries')).toBe('1 query');
        expect(plural(1200, 'query', 'queries')).toBe('1,200 queries');
    });
});
