import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Target, TargetStatus } from '../lib/types';
import { useSession } from './session';
import { useAsync } from './useAsync';

const KEY = 'optischema-target';

interface TargetsValue {
    targets: Target[];
    loading: boolean;
    error: unknown;
    selected: Target | null;
    select: (id: Target['id']) => void;
    reload: () => void;
    /// Applies a live status update to a target.
    updateStatus: (id: Target['id'], status: TargetStatus) => void;
}

const TargetsContext = createContext<TargetsValue | null>(null);

function remembered(): string | null {
    try {
        const fromUrl = new URLSearchParams(window.location.search).get('target');
        return fromUrl ?? localStorage.getItem(KEY);
    } catch {
        return null;
    }
}

export function TargetsProvider({ children }: { children: ReactNode }) {
    const { api, status } = useSession();
    const ready = status === 'authenticated';
    const state = useAsync((signal) => api.targets(signal), [api], ready);
    const [selectedId, setSelectedId] = useState<string | null>(remembered);
    const targets = useMemo(() => state.data ?? [], [state.data]);

    const selected = useMemo(() => {
        if (targets.length === 0) return null;
        return targets.find((t) => String(t.id) === selectedId) ?? targets[0] ?? null;
    }, [targets, selectedId]);

    const select = useCallback((id: Target['id']) => {
        setSelectedId(String(id));
        try {
            localStorage.setItem(KEY, String(id));
        } catch {
            // Not remembered across reloads; still selected.
        }
    }, []);

    const { reload, setData } = state;
    // Refresh the statuses now and then, in case the live stream is down.
    useEffect(() => {
        if (!ready) return;
        const id = setInterval(() => reload(), 60_000);
        return () => clearInterval(id);
    }, [ready, reload]);

    const updateStatus = useCallback(
        (id: Target['id'], status: TargetStatus) =>
            setData((prev) => prev?.map((t) => (String(t.id) === String(id) ? { ...t, status: { ...t.status, ...status } } : t))),
        [setData],
    );

    const value = useMemo(
        () => ({
            targets,
            loading: state.loading && state.data === undefined,
            error: state.error,
            selected,
            select,
            reload: state.reload,
            updateStatus,
        }),
        [targets, state.loading, state.data, state.error, selected, select, state.reload, updateStatus],
    );
    return <TargetsContext.Provider value={value}>{children}</TargetsContext.Provider>;
}

export function useTargets(): TargetsValue {
    const v = useContext(TargetsContext);
    if (!v) throw new Error('useTargets outside TargetsProvider');
    return v;
}
