// The live-update WebSocket (GET /api/v1/stream): connects with the session cookie, narrows to the
// topics the page needs, and reconnects with capped exponential backoff and jitter when dropped.

import type { StreamMessage } from './types';

export type StreamState = 'connecting' | 'open' | 'closed';

/// The delay before reconnect attempt `attempt` (0-based): base·2^attempt capped at max, with
/// "equal jitter" (between half and all of it) so many tabs do not reconnect in step.
export function backoffDelay(attempt: number, base = 500, max = 30_000, random: () => number = Math.random): number {
    const exp = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
    return Math.round(exp / 2 + random() * (exp / 2));
}

/// The stream's URL for a page at `location` (ws: for http:, wss: for https:).
export function streamUrl(location: { protocol: string; host: string }, path = '/api/v1/stream'): string {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

/// A stream message when `text` is one (`{"type": "event", "topic", "data": {"kind", ...}}`), else null.
export function parseStreamMessage(text: unknown): StreamMessage | null {
    if (typeof text !== 'string') return null;
    let v: unknown;
    try {
        v = JSON.parse(text);
    } catch {
        return null;
    }
    if (!v || typeof v !== 'object') return null;
    const m = v as { type?: unknown; topic?: unknown; data?: unknown };
    if (m.type !== 'event' || typeof m.topic !== 'string' || !m.data || typeof m.data !== 'object') return null;
    const kind = (m.data as { kind?: unknown }).kind;
    if (kind !== 'snapshot' && kind !== 'status') return null;
    return m as StreamMessage;
}

/// The part of WebSocket that LiveStream uses, so tests can pass a fake.
export interface SocketLike {
    readyState: number;
    onopen: ((ev: unknown) => void) | null;
    onclose: ((ev: unknown) => void) | null;
    onerror: ((ev: unknown) => void) | null;
    onmessage: ((ev: { data: unknown }) => void) | null;
    send(data: string): void;
    close(code?: number, reason?: string): void;
}

export interface Timers {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
}

export interface LiveStreamOptions {
    url: string;
    /// Topics to subscribe to ("target:1"); empty or absent means every topic.
    topics?: string[];
    onMessage: (message: StreamMessage) => void;
    onState?: (state: StreamState, nextRetryMs: number | null) => void;
    createSocket?: (url: string) => SocketLike;
    timers?: Timers;
    random?: () => number;
    baseDelayMs?: number;
    maxDelayMs?: number;
}

const OPEN = 1;

export class LiveStream {
    private readonly options: LiveStreamOptions;
    private readonly timers: Timers;
    private socket: SocketLike | null = null;
    private retryTimer: unknown = null;
    private attempt = 0;
    private stopped = true;
    private topics: string[];
    state: StreamState = 'closed';

    constructor(options: LiveStreamOptions) {
        this.options = options;
        this.topics = options.topics ?? [];
        this.timers = options.timers ?? {
            setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
            clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
        };
    }

    start(): void {
        if (!this.stopped) return;
        this.stopped = false;
        this.connect();
    }

    /// Closes the socket and stops reconnecting.
    stop(): void {
        this.stopped = true;
        if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
        this.retryTimer = null;
        const s = this.socket;
        this.socket = null;
        if (s) {
            s.onopen = s.onclose = s.onerror = null;
            s.onmessage = null;
            try {
                s.close(1000, 'done');
            } catch {
                // already closed
            }
        }
        this.setState('closed', null);
    }

    /// Changes the topics; sent at once when connected, else on the next connection.
    subscribe(topics: string[]): void {
        this.topics = [...topics];
        if (this.socket && this.socket.readyState === OPEN) this.sendSubscription();
    }

    private sendSubscription(): void {
        try {
            this.socket?.send(JSON.stringify({ subscribe: this.topics.length ? this.topics : ['*'] }));
        } catch {
            // The close handler reconnects.
        }
    }

    private setState(state: StreamState, retryMs: number | null): void {
        this.state = state;
        this.options.onState?.(state, retryMs);
    }

    private connect(): void {
        if (this.stopped) return;
        this.setState('connecting', null);
        let socket: SocketLike;
        try {
            socket = this.options.createSocket
                ? this.options.createSocket(this.options.url)
                : (new WebSocket(this.options.url) as unknown as SocketLike);
        } catch {
            this.scheduleRetry();
            return;
        }
        this.socket = socket;
        socket.onopen = () => {
            this.attempt = 0;
            this.setState('open', null);
            this.sendSubscription();
        };
        socket.onmessage = (ev) => {
            const msg = parseStreamMessage(ev.data);
            if (msg) this.options.onMessage(msg);
        };
        socket.onerror = () => {
            // onclose follows and schedules the retry.
        };
        socket.onclose = () => {
            if (this.socket !== socket) return;
            this.socket = null;
            this.scheduleRetry();
        };
    }

    private scheduleRetry(): void {
        if (this.stopped) return;
        const delay = backoffDelay(this.attempt, this.options.baseDelayMs, this.options.maxDelayMs, this.options.random);
        this.attempt += 1;
        this.setState('closed', delay);
        this.retryTimer = this.timers.setTimeout(() => {
            this.retryTimer = null;
            this.connect();
        }, delay);
    }
}
