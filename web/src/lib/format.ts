// Number, size and time formatting for the dashboard. Every function accepts null, undefined and
// NaN and returns a placeholder for them, so a missing value never shows as "NaN" or "undefined".

export const MISSING = '—';

function isNum(v: unknown): v is number {
    return typeof v === 'number' && Number.isFinite(v);
}

/// A number or null: accepts numbers and numeric strings, rejects NaN and Infinity.
export function toNumber(v: unknown): number | null {
    if (isNum(v)) return v;
    if (typeof v === 'string' && v.trim() !== '') {
        const n = Number(v);
        return Number.isFinite(n) ? n : null;
    }
    return null;
}

function fixed(n: number, digits: number): string {
    return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/// Milliseconds as a human duration: "0.042 ms", "4.2 ms", "420 ms", "4.20 s", "7.0 min", "2.5 h".
export function formatMs(ms: unknown): string {
    const v = toNumber(ms);
    if (v === null) return MISSING;
    const sign = v < 0 ? '-' : '';
    const a = Math.abs(v);
    if (a === 0) return '0 ms';
    if (a < 0.001) return `${sign}<0.001 ms`;
    if (a < 1) return `${sign}${fixed(a, 3)} ms`;
    if (a < 100) return `${sign}${fixed(a, 1)} ms`;
    if (a < 1000) return `${sign}${fixed(a, 0)} ms`;
    if (a < 60_000) return `${sign}${fixed(a / 1000, 2)} s`;
    if (a < 3_600_000) return `${sign}${fixed(a / 60_000, 1)} min`;
    if (a < 86_400_000 * 2) return `${sign}${fixed(a / 3_600_000, 1)} h`;
    return `${sign}${fixed(a / 86_400_000, 1)} d`;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/// Bytes in powers of 1024, as PostgreSQL's pg_size_pretty: "812 B", "45.0 MB".
export function formatBytes(bytes: unknown): string {
    const v = toNumber(bytes);
    if (v === null || v < 0) return MISSING;
    let n = v;
    let unit = 0;
    while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
        n /= 1024;
        unit += 1;
    }
    return unit === 0 ? `${Math.round(n)} B` : `${fixed(n, n < 10 ? 1 : n < 100 ? 1 : 0)} ${BYTE_UNITS[unit]}`;
}

/// A count with thousands separators: 1,234,567. Fractions are rounded.
export function formatCount(count: unknown): string {
    const v = toNumber(count);
    if (v === null) return MISSING;
    return Math.round(v).toLocaleString('en-US');
}

/// A count in a few characters: 950, 12.3k, 4.5M, 1.2B.
export function formatCompact(count: unknown): string {
    const v = toNumber(count);
    if (v === null) return MISSING;
    const a = Math.abs(v);
    const sign = v < 0 ? '-' : '';
    if (a < 1000) return `${sign}${Number.isInteger(a) ? a : fixed(a, 1)}`;
    if (a < 1e6) return `${sign}${fixed(a / 1e3, a < 1e4 ? 1 : 0)}k`;
    if (a < 1e9) return `${sign}${fixed(a / 1e6, a < 1e7 ? 1 : 0)}M`;
    return `${sign}${fixed(a / 1e9, 1)}B`;
}

/// A percentage given as 0..100: "36.9 %"; values under 0.1 (but above 0) show as "<0.1 %".
export function formatPct(pct: unknown, digits = 1): string {
    const v = toNumber(pct);
    if (v === null) return MISSING;
    if (v > 0 && v < 10 ** -digits) return `<${fixed(10 ** -digits, digits)} %`;
    return `${fixed(v, digits)} %`;
}

/// A fraction given as 0..1, shown as a percentage.
export function formatShare(fraction: unknown, digits = 1): string {
    const v = toNumber(fraction);
    return v === null ? MISSING : formatPct(v * 100, digits);
}

/// A speed-up ratio: "2,500× faster", "1.8× faster", "2.0× slower" (ratio < 1), "no change" at 1.
export function formatSpeedup(ratio: unknown): string {
    const v = toNumber(ratio);
    if (v === null || v <= 0) return MISSING;
    if (Math.abs(v - 1) < 0.005) return 'no change';
    if (v >= 1) return `${v >= 100 ? formatCount(v) : fixed(v, 1)}× faster`;
    const inv = 1 / v;
    return `${inv >= 100 ? formatCount(inv) : fixed(inv, 1)}× slower`;
}

/// Milliseconds since the epoch for an ISO 8601 string, a Date or a number of milliseconds; null
/// when it cannot be read.
export function parseTime(t: unknown): number | null {
    if (t instanceof Date) return Number.isFinite(t.getTime()) ? t.getTime() : null;
    if (isNum(t)) return t;
    if (typeof t === 'string' && t !== '') {
        const ms = Date.parse(t);
        return Number.isFinite(ms) ? ms : null;
    }
    return null;
}

/// A duration in seconds, coarse: "45 s", "12 min", "3 h 5 min", "2 d 4 h".
export function formatSeconds(seconds: unknown): string {
    const v = toNumber(seconds);
    if (v === null || v < 0) return MISSING;
    const s = Math.round(v);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 && s < 600 ? ` ${s % 60} s` : ''}`;
    if (s < 86400) {
        const m = Math.floor((s % 3600) / 60);
        return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
    }
    const h = Math.floor((s % 86400) / 3600);
    return `${Math.floor(s / 86400)} d${h ? ` ${h} h` : ''}`;
}

/// A time relative to `now`: "just now", "12 s ago", "5 min ago", "in 3 h". MISSING when unreadable.
export function formatRelative(t: unknown, now: number = Date.now()): string {
    const ms = parseTime(t);
    if (ms === null) return MISSING;
    const diff = now - ms;
    const abs = Math.abs(diff) / 1000;
    if (abs < 2) return 'just now';
    const text = formatSeconds(abs);
    return diff >= 0 ? `${text} ago` : `in ${text}`;
}

function pad(n: number, width = 2): string {
    return String(n).padStart(width, '0');
}

/// A timestamp in local time, "2026-11-28 01:02:03"; `utc` shows UTC with a Z.
export function formatDateTime(t: unknown, utc = false): string {
    const ms = parseTime(t);
    if (ms === null) return MISSING;
    const d = new Date(ms);
    if (utc) {
        return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
            d.getUTCMinutes(),
        )}:${pad(d.getUTCSeconds())}Z`;
    }
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
        d.getMinutes(),
    )}:${pad(d.getSeconds())}`;
}

/// Text for display: strings as they are, numbers formatted, anything else (null, undefined,
/// objects) as MISSING or JSON, never "undefined" or "[object Object]".
export function displayText(v: unknown): string {
    if (v === null || v === undefined) return MISSING;
    if (typeof v === 'string') return v === '' ? MISSING : v;
    if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v) : MISSING;
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    try {
        return JSON.stringify(v);
    } catch {
        return MISSING;
    }
}

/// A plain number with at most 3 significant decimals and thousands separators.
export function formatNumber(v: unknown): string {
    const n = toNumber(v);
    if (n === null) return MISSING;
    return n.toLocaleString('en-US', { maximumFractionDigits: Math.abs(n) < 10 ? 3 : Math.abs(n) < 1000 ? 1 : 0 });
}

/// Collapses whitespace runs and cuts to `max` characters with an ellipsis.
export function ellipsize(text: unknown, max: number): string {
    if (typeof text !== 'string') return MISSING;
    const flat = text.replace(/\s+/g, ' ').trim();
    return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/// "1 recommendation", "3 recommendations".
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
    return `${formatCount(n)} ${n === 1 ? word : pluralWord}`;
}
