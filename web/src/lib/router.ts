// Route matching for the dashboard's paths (history API; the server answers index.html for every
// path that is not a file). Pure.

export type RouteName =
    | 'login'
    | 'overview'
    | 'queries'
    | 'query'
    | 'optimizations'
    | 'analytics'
    | 'indexes'
    | 'audit'
    | 'settings'
    | 'exports'
    | 'report'
    | 'notfound';

export interface Route {
    name: RouteName;
    params: Record<string, string>;
    query: URLSearchParams;
}

const PATTERNS: [RouteName, RegExp, string[]][] = [
    ['overview', /^\/?$/, []],
    ['login', /^\/login\/?$/, []],
    ['queries', /^\/queries\/?$/, []],
    ['query', /^\/queries\/([^/]+)\/?$/, ['fingerprint']],
    ['optimizations', /^\/optimizations\/?$/, []],
    ['analytics', /^\/analytics\/?$/, []],
    ['indexes', /^\/indexes\/?$/, []],
    ['audit', /^\/audit\/?$/, []],
    ['settings', /^\/settings\/?$/, []],
    ['exports', /^\/exports\/?$/, []],
    ['report', /^\/report\/?$/, []],
];

/// The route for a path and search string ("/queries/abc", "?range=1h").
export function matchRoute(pathname: string, search = ''): Route {
    const query = new URLSearchParams(search);
    for (const [name, re, keys] of PATTERNS) {
        const m = re.exec(pathname);
        if (!m) continue;
        const params: Record<string, string> = {};
        keys.forEach((k, i) => {
            const raw = m[i + 1] ?? '';
            try {
                params[k] = decodeURIComponent(raw);
            } catch {
                params[k] = raw;
            }
        });
        return { name, params, query };
    }
    return { name: 'notfound', params: {}, query };
}

/// A path with query parameters; undefined and '' values are left out.
export function buildPath(path: string, query: Record<string, string | number | undefined | null> = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
}

/// The path of a query's detail page.
export function queryPath(fingerprint: string): string {
    return `/queries/${encodeURIComponent(fingerprint)}`;
}

/// Only same-origin paths may be a post-login destination (no "//evil.example" or "https://...").
export function safeNext(next: string | null | undefined): string {
    if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
    return next;
}
