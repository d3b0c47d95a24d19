import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SnapshotEvent, StreamMessage } from '../lib/types';
import { LiveStream, streamUrl, type StreamState } from '../lib/ws';
import { useSession } from './session';
import { useTargets } from './targets';

type Listener = (message: StreamMessage) => void;

interface LiveValue {
    state: StreamState;
    /// Registers a listener for every event; returns the unsubscribe function.
    listen: (listener: Listener) => () => void;
    /// The last snapshot event seen for a target in this page's lifetime, so a page opened later
    /// shows it at once instead of waiting for the next collection.
    latestSnapshot: (targetId: string | number) => SnapshotEvent | null;
}

const LiveContext = createContext<LiveValue | null>(null);

/// One WebSocket for the whole dashboard, narrowed to the selected target's topic.
export function LiveProvider({ children }: { children: ReactNode }) {
    const { status } = useSession();
    const { selected, updateStatus } = useTargets();
    const [state, setState] = useState<StreamState>('closed');
    const listeners = useRef(new Set<Listener>());
    const latest = useRef(new Map<string, SnapshotEvent>());
    const stream = useRef<LiveStream | null>(null);
    const updateStatusRef = useRef(updateStatus);
    updateStatusRef.current = updateStatus;

    useEffect(() => {
        if (status !== 'authenticated') return;
        const s = new LiveStream({
            url: streamUrl(window.location),
            onState: (st) => setState(st),
            onMessage: (m) => {
                if (m.data.kind === 'status') updateStatusRef.current(m.data.target_id, m.data.status);
                if (m.data.kind === 'snapshot') latest.current.set(String(m.data.target_id), m.data);
                for (const l of listeners.current) l(m);
            },
        });
        stream.current = s;
        s.start();
        return () => {
            s.stop();
            stream.current = null;
        };
    }, [status]);

    const topic = selected ? `target:${selected.id}` : null;
    useEffect(() => {
        stream.current?.subscribe(topic ? [topic] : []);
    }, [topic, status]);

    const value = useMemo<LiveValue>(
        () => ({
            state,
            listen: (l) => {
                listeners.current.add(l);
                return () => listeners.current.delete(l);
            },
            latestSnapshot: (id) => latest.current.get(String(id)) ?? null,
        }),
        [state],
    );
    return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveValue {
    const v = useContext(LiveContext);
    if (!v) throw new Error('useLive outside LiveProvider');
    return v;
}

/// Calls `handler` for each event of the given target.
export function useTargetEvents(targetId: string | number | null | undefined, handler: Listener): void {
    const { listen } = useLive();
    const ref = useRef(handler);
    ref.current = handler;
    useEffect(() => {
        if (targetId === null || targetId === undefined) return;
        return listen((m) => {
            if (String(m.data.target_id) === String(targetId) || m.topic === `target:${targetId}`) ref.current(m);
        });
    }, [listen, targetId]);
}
