import { useEffect, useId, useState, type ReactNode } from 'react';
import { useLive } from '../app/live';
import { Link, useRouter } from '../app/router';
import { useSession } from '../app/session';
import { useTargets } from '../app/targets';
import { ThemeToggle } from '../app/theme';
import type { RouteName } from '../lib/router';

const NAV: { to: string; label: string; routes: RouteName[] }[] = [
    { to: '/', label: 'Overview', routes: ['overview'] },
    { to: '/queries', label: 'Queries', routes: ['queries', 'query'] },
    { to: '/optimizations', label: 'Optimizations', routes: ['optimizations'] },
    { to: '/analytics', label: 'Analytics', routes: ['analytics'] },
    { to: '/indexes', label: 'Index health', routes: ['indexes'] },
    { to: '/audit', label: 'Audit log', routes: ['audit'] },
    { to: '/exports', label: 'Exports', routes: ['exports', 'report'] },
    { to: '/settings', label: 'Settings', routes: ['settings'] },
];

function Logo() {
    return (
        <svg width="24" height="24" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#2f5fd8" />
            <path d="M7 22l6-7 5 4 7-10" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
    );
}

function TargetSelector() {
    const { targets, selected, select } = useTargets();
    const id = useId();
    if (targets.length === 0) return null;
    const state = selected?.status?.state;
    return (
        <span className="toolbar target-select">
            <label htmlFor={id} className="visually-hidden">
                Database
            </label>
            <select id={id} value={selected ? String(selected.id) : ''} onChange={(e) => select(Number(e.target.value))} data-testid="target-select">
                {targets.map((t) => (
                    <option key={String(t.id)} value={String(t.id)}>
                        {t.name}
                        {t.production ? ' (production)' : ''}
                    </option>
                ))}
            </select>
            {state && (
                <span className={`badge ${state}`} aria-label={`Database status: ${state}`}>
                    {state}
                </span>
            )}
        </span>
    );
}

function LiveIndicator() {
    const { state } = useLive();
    const text = state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline, retrying';
    return (
        <span className={`live-dot ${state}`} role="status" aria-label={`Live updates: ${text}`} data-testid="live-state">
            {text}
        </span>
    );
}

export function Layout({ children }: { children: ReactNode }) {
    const { route } = useRouter();
    const { user, authEnabled, logout } = useSession();
    const [menuOpen, setMenuOpen] = useState(false);
    useEffect(() => setMenuOpen(false), [route.name, route.params.fingerprint]);
    return (
        <div className="app">
            <a className="skip-link" href="#main">
                Skip to content
            </a>
            <header className="topbar">
                <button
                    type="button"
                    className="menu-button small"
                    aria-expanded={menuOpen}
                    aria-controls="sidebar"
                    onClick={() => setMenuOpen((o) => !o)}
                >
                    Menu
                </button>
                <Link to="/" className="brand" aria-label="OptiSchema home">
                    <Logo />
                    <span>OptiSchema</span>
                </Link>
                <div className="topbar-actions">
                    <TargetSelector />
                    <LiveIndicator />
                    <ThemeToggle />
                    {user && authEnabled && (
                        <>
                            <span className="muted nowrap" data-testid="current-user">
                                {user.username} · {user.role}
                            </span>
                            <button type="button" className="small" onClick={() => void logout()}>
                                Log out
                            </button>
                        </>
                    )}
                </div>
            </header>
            <nav id="sidebar" className={`sidebar ${menuOpen ? 'open' : ''}`} aria-label="Main">
                <ul>
                    {NAV.map((n) => (
                        <li key={n.to}>
                            <Link to={n.to} aria-current={n.routes.includes(route.name) ? 'page' : undefined}>
                                {n.label}
                            </Link>
                        </li>
                    ))}
                </ul>
            </nav>
            <main id="main" tabIndex={-1}>
                {children}
            </main>
        </div>
    );
}
