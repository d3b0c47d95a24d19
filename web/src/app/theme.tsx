import { useEffect, useState } from 'react';

export type Theme = 'dark' | 'light';
const KEY = 'optischema-theme';

/// The remembered theme, else the system's preference.
export function initialTheme(): Theme {
    try {
        const stored = localStorage.getItem(KEY);
        if (stored === 'dark' || stored === 'light') return stored;
    } catch {
        // Storage blocked: fall through to the system preference.
    }
    return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function applyTheme(theme: Theme): void {
    document.documentElement.dataset.theme = theme;
    window.dispatchEvent(new CustomEvent('optischema-theme', { detail: theme }));
}

/// The current theme, updated when it changes anywhere.
export function useTheme(): [Theme, (t: Theme) => void] {
    const [theme, setThemeState] = useState<Theme>(() => (document.documentElement.dataset.theme as Theme) || initialTheme());
    useEffect(() => {
        const on = (e: Event) => setThemeState((e as CustomEvent<Theme>).detail);
        window.addEventListener('optischema-theme', on);
        return () => window.removeEventListener('optischema-theme', on);
    }, []);
    const setTheme = (t: Theme) => {
        try {
            localStorage.setItem(KEY, t);
        } catch {
            // Not remembered, still applied.
        }
        applyTheme(t);
    };
    return [theme, setTheme];
}

export function ThemeToggle() {
    const [theme, setTheme] = useTheme();
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    return (
        <button
            type="button"
            className="small"
            onClick={() => setTheme(next)}
            aria-label={`Switch to ${next} theme`}
            title={`Switch to ${next} theme`}
            data-testid="theme-toggle"
        >
            <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
            <span>{theme === 'dark' ? 'Light' : 'Dark'}</span>
        </button>
    );
}
