import { describe, expect, it } from 'vitest';
import { LiveStream, backoffDelay, parseStreamMessage, streamUrl, type SocketLike, type Timers } from './ws';
import type { StreamMessage } from './types';

class FakeSocket implements SocketLike {
    readyState = 0;
    onopen: ((ev: unknown) => void) | null = null;
    onclose: ((ev: unknown) => void) | null = null;
    onerror: ((ev: unknown) => void) | null = null;
    onmessage: ((ev: { data: unknown }) => void) | null = null;
    sent: string[] = [];
    closed = false;
    constructor(readonly url: string) {}
    send(data: string) {
        this.sent.push(data);
    }
    close() {
        this.closed = true;
    }
    open() {
        this.readyState = 1;
        this.onopen?.({});
    }
    drop() {
        this.readyState = 3;
        this.onerror?.({});
        this.onclose?.({});
    }
}

function fakeTimers() {
    const pending: { fn: () => void; ms: number; id: number }[] = [];
    let id = 0;
    const timers: Timers = {
        setTimeout(fn, ms) {
            pending.push({ fn, ms, id: ++id });
            return id;
        },
        clearTimeout(h) {
            const i = pending.findIndex((p) => p.id === h);
            if (i >= 0) pending.splice(i, 1);
        },
    };
    return { timers, pending, fire: () => pending.shift()!.fn() };
}

const snapshot = (target: number): StreamMessage => ({
    type: 'event',
    topic: `target:${target}`,
    data: { kind: 'snapshot', target_id: target, snapshot_id: 9, taken_at: '2026-11-28T01:02:03Z', total_ms: 12, statements: [] },
});

describe('backoffDelay', () => {
    it('doubles up to the cap, with jitter between half and all of it', () => {
        expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
        expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
        expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
        expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
        expect(backoffDelay(1000, 500, 30_000, () => 0.5)).toBe(22_500);
    });
});

describe('streamUrl and parseStreamMessage', () => {
    it('uses wss behind https', () => {
        expect(streamUrl({ protocol: 'https:', host: 'db.example:8443' })).toBe('wss://db.example:8443/api/v1/stream');
        expect(streamUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/stream');
    });
    it('accepts events and rejects anything else', () => {
        expect(parseStreamMessage(JSON.stringify(snapshot(1)))?.topic).toBe('target:1');
        expect(parseStreamMessage('{"ok":true,"subscribed":["target:1"]}')).toBeNull();
        expect(parseStreamMessage('not json')).toBeNull();
        expect(parseStreamMessage(JSON.stringify({ type: 'event', topic: 't', data: { kind: 'other' } }))).toBeNull();
        expect(parseStreamMessage(new ArrayBuffer(2))).toBeNull();
    });
});

describe('LiveStream', () => {
    it('subscribes on open, delivers events, reconnects with backoff and resubscribes', () => {
        const sockets: FakeSocket[] = [];
        const { timers, pending, fire } = fakeTimers();
        const got: StreamMessage[] = [];
        const states: string[] = [];
        const stream = new LiveStream({
            url: 'ws://x/api/v1/stream',
            topics: ['target:1'],
            onMessage: (m) => got.push(m),
            onState: (s) => states.push(s),
            createSocket: (url) => {
                const s = new FakeSocket(url);
                sockets.push(s);
                return s;
            },
            timers,
            random: () => 1,
            baseDelayMs: 100,
            maxDelayMs: 1000,
        });
        stream.start();
        expect(sockets).toHaveLength(1);
        sockets[0]!.open();
        expect(sockets[0]!.sent).toEqual(['{"subscribe":["target:1"]}']);
        sockets[0]!.onmessage?.({ data: JSON.stringify(snapshot(1)) });
        sockets[0]!.onmessage?.({ data: '{"ack":true}' });
        expect(got).toHaveLength(1);

        sockets[0]!.drop();
        expect(pending.map((p) => p.ms)).toEqual([100]);
        fire();
        expect(sockets).toHaveLength(2);
        sockets[1]!.drop(); // fails before opening: the next delay doubles
        expect(pending.map((p) => p.ms)).toEqual([200]);
        fire();
        stream.subscribe(['target:2']);
        sockets[2]!.open();
        expect(sockets[2]!.sent).toEqual(['{"subscribe":["target:2"]}']);
        sockets[2]!.drop(); // after a successful open the backoff starts over
        expect(pending.map((p) => p.ms)).toEqual([100]);
        expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'closed', 'connecting', 'open', 'closed']);
    });

    it('stops for good: no reconnect after stop, and an open subscription change is sent at once', () => {
        const sockets: FakeSocket[] = [];
        const { timers, pending } = fakeTimers();
        const stream = new LiveStream({
            url: 'ws://x',
            onMessage: () => {},
            createSocket: (url) => {
                const s = new FakeSocket(url);
                sockets.push(s);
                return s;
            },
            timers,
        });
        stream.start();
        stream.start(); // idempotent
        expect(sockets).toHaveLength(1);
        sockets[0]!.open();
        expect(sockets[0]!.sent).toEqual(['{"subscribe":["*"]}']);
        stream.subscribe(['target:3']);
        expect(sockets[0]!.sent.at(-1)).toBe('{"subscribe":["target:3"]}');
        stream.stop();
        expect(sockets[0]!.closed).toBe(true);
        sockets[0]!.drop();
        expect(pending).toHaveLength(0);
        expect(stream.state).toBe('closed');
    });

    it('retries when the socket cannot even be created', () => {
        const { timers, pending } = fakeTimers();
        const stream = new LiveStream({
            url: 'ws://x',
            onMessage: () => {},
            createSocket: () => {
                throw new Error('blocked');
            },
            timers,
            random: () => 0,
        });
        stream.start();
        expect(pending).toHaveLength(1);
        stream.stop();
        expect(pending).toHaveLength(0);
    });
});
