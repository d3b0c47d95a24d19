import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';
import { matchRoute, type Route } from '../lib/router';

interface RouterValue {
    route: Route;
    path: string;
    navigate: (to: string, options?: { replace?: boolean }) => void;
}

const RouterContext = createContext<RouterValue | null>(null);

function current(): { pathname: string; search: string } {
    return { pathname: window.location.pathname, search: window.location.search };
}

/// History-API routing: the server answers index.html for every path that is not a file.
export function RouterProvider({ children }: { children: ReactNode }) {
    const [loc, setLoc] = useState(current);
    useEffect(() => {
        const onPop = () => setLoc(current());
        window.addEventListener('popstate', onPop);
        return () => window.removeEventListener('popstate', onPop);
    }, []);
    const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
        const before = `${window.location.pathname}${window.location.search}`;
        if (to === before) return;
        if (options.replace) window.history.replaceState(null, '', to);
        else window.history.pushState(null, '', to);
        const next = current();
        setLoc(next);
        if (next.pathname !== new URL(before, window.location.origin).pathname) {
            window.scrollTo(0, 0);
            // Move focus to the new page's content so keyboard and screen-reader users start there.
            requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
        }
    }, []);
    const value = useMemo(
        () => ({ route: matchRoute(loc.pathname, loc.search), path: `${loc.pathname}${loc.search}`, navigate }),
        [loc, navigate],
    );
    return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
    const v = useContext(RouterContext);
    if (!v) throw new Error('useRouter outside RouterProvider');
    return v;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; children: ReactNode };

/// An in-app link: a real <a href> (open in new tab works) that navigates without a reload.
export function Link({ to, children, onClick, ...rest }: LinkProps) {
    const { navigate } = useRouter();
    const handle = (e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
    };
    return (
        <a href={to} onClick={handle} {...rest}>
            {children}
        </a>
    );
}
