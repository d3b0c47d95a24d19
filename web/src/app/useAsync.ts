import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export interface AsyncState<T> {
    data: T | undefined;
    error: unknown;
    loading: boolean;
    /// Loads again; the previous data stays on screen meanwhile.
    reload: () => void;
    setData: (updater: (prev: T | undefined) => T | undefined) => void;
}

/// Runs `fn` when `deps` change (and on reload), cancelling the previous run. `enabled` false skips it.
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: DependencyList, enabled = true): AsyncState<T> {
    const [data, setDataState] = useState<T | undefined>(undefined);
    const [error, setError] = useState<unknown>(null);
    const [loading, setLoading] = useState<boolean>(enabled);
    const [tick, setTick] = useState(0);
    const fnRef = useRef(fn);
    fnRef.current = fn;
    useEffect(() => {
        if (!enabled) {
            setLoading(false);
            return;
        }
        const controller = new AbortController();
        setLoading(true);
        fnRef
            .current(controller.signal)
            .then((d) => {
                if (controller.signal.aborted) return;
                setDataState(d);
                setError(null);
                setLoading(false);
            })
            .catch((e: unknown) => {
                if (controller.signal.aborted) return;
                setError(e ?? new Error('failed'));
                setLoading(false);
            });
        return () => controller.abort();
        // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps, checked at each call (additionalHooks)
    }, [...deps, tick, enabled]);
    const reload = useCallback(() => setTick((t) => t + 1), []);
    const setData = useCallback((u: (prev: T | undefined) => T | undefined) => setDataState(u), []);
    return { data, error, loading, reload, setData };
}

/// The current time, updated every `ms` milliseconds (for "12 s ago").
export function useNow(ms = 1000): number {
    const [now, setNow] = useState(() => Date.now());
    useEffect(() => {
        const id = setInterval(() => setNow(Date.now()), ms);
        return () => clearInterval(id);
    }, [ms]);
    return now;
}

/// Sets document.title to "<page> · OptiSchema".
export function useTitle(page: string): void {
    useEffect(() => {
        document.title = page ? `${page} · OptiSchema` : 'OptiSchema';
    }, [page]);
}
