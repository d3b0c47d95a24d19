import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, ApiError, errorMessage } from '../lib/api';
import type { User } from '../lib/types';

export type SessionStatus = 'checking' | 'anonymous' | 'authenticated' | 'unreachable';

interface SessionValue {
    api: ApiClient;
    status: SessionStatus;
    user: User | null;
    authEnabled: boolean;
    /// Why the server could not be reached ('unreachable'), or that the session expired.
    notice: string | null;
    login: (username: string, password: string) => Promise<void>;
    logout: () => Promise<void>;
    recheck: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children, api: given }: { children: ReactNode; api?: ApiClient }) {
    const [api] = useState(() => given ?? new ApiClient());
    const [status, setStatus] = useState<SessionStatus>('checking');
    const [user, setUser] = useState<User | null>(null);
    const [authEnabled, setAuthEnabled] = useState(true);
    const [notice, setNotice] = useState<string | null>(null);
    const [tick, setTick] = useState(0);

    useEffect(() => {
        api.onUnauthorized = () => {
            setUser(null);
            setStatus('anonymous');
            setNotice('Your session has ended. Log in again.');
        };
        return () => {
            api.onUnauthorized = undefined;
        };
    }, [api]);

    useEffect(() => {
        let live = true;
        api.me()
            .then((me) => {
                if (!live) return;
                const enabled = me?.auth_enabled !== false;
                setAuthEnabled(enabled);
                if (me?.user) {
                    setUser(me.user);
                    setStatus('authenticated');
                } else if (!enabled) {
                    // Authentication is off on this server: everyone may do everything.
                    setUser({ username: 'local', role: 'admin' });
                    setStatus('authenticated');
                } else {
                    setStatus('anonymous');
                }
            })
            .catch((e: unknown) => {
                if (!live) return;
                if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
                    setStatus('anonymous');
                } else {
                    setNotice(errorMessage(e));
                    setStatus('unreachable');
                }
            });
        return () => {
            live = false;
        };
    }, [api, tick]);

    const login = useCallback(
        async (username: string, password: string) => {
            const r = await api.login(username, password);
            setUser(r.user);
            setNotice(null);
            setStatus('authenticated');
        },
        [api],
    );
    const logout = useCallback(async () => {
        try {
            await api.logout();
        } catch {
            // The session is forgotten on this side either way.
        }
        setUser(null);
        setNotice(null);
        setStatus('anonymous');
    }, [api]);
    const recheck = useCallback(() => {
        setStatus('checking');
        setTick((t) => t + 1);
    }, []);

    const value = useMemo(
        () => ({ api, status, user, authEnabled, notice, login, logout, recheck }),
        [api, status, user, authEnabled, notice, login, logout, recheck],
    );
    return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
    const v = useContext(SessionContext);
    if (!v) throw new Error('useSession outside SessionProvider');
    return v;
}

export function useApi(): ApiClient {
    return useSession().api;
}
