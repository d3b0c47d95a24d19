import { describe, expect, it } from 'vitest';
import { JobStore } from './jobs';

function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('JobStore', () => {
    it('tracks a run from start to result and tells its listeners', async () => {
        const store = new JobStore<string>();
        let changes = 0;
        store.subscribe(() => changes++);
        const d = deferred<string>();
        expect(store.start('q1', () => d.promise, { refresh: false }, 1000)).toBe(true);
        expect(store.get('q1')).toMatchObject({ running: true, startedAt: 1000, data: undefined, options: { refresh: false } });
        d.resolve('answer');
        await tick();
        expect(store.get('q1')).toMatchObject({ running: false, data: 'answer', error: null });
        expect(changes).toBe(2);
    });

    it('does not start a second run of a key while one is going', async () => {
        const store = new JobStore<number>();
        const d = deferred<number>();
        let runs = 0;
        store.start('k', () => (runs++, d.promise));
        expect(store.start('k', () => (runs++, Promise.resolve(2)))).toBe(false);
        expect(runs).toBe(1);
        d.resolve(1);
        await tick();
        expect(store.start('k', () => (runs++, Promise.resolve(3)))).toBe(true);
        await tick();
        expect(store.get('k')?.data).toBe(3);
    });

    it('keeps the last result while asking again and after a failure', async () => {
        const store = new JobStore<string>();
        store.start('k', () => Promise.resolve('first'));
        await tick();
        const d = deferred<string>();
        store.start('k', () => d.promise, { refresh: true });
        expect(store.get('k')).toMatchObject({ running: true, data: 'first', error: null });
        d.reject(new Error('provider down'));
        await tick();
        expect(store.get('k')?.data).toBe('first');
        expect((store.get('k')?.error as Error).message).toBe('provider down');
    });

    it('turns a run that throws synchronously into an error', async () => {
        const store = new JobStore<string>();
        store.start('k', () => {
            throw new Error('boom');
        });
        await tick();
        expect(store.get('k')).toMatchObject({ running: false });
        expect((store.get('k')?.error as Error).message).toBe('boom');
    });

    it('drops the result of a run that was cleared, even when the key runs again', async () => {
        const store = new JobStore<string>();
        const old = deferred<string>();
        store.start('k', () => old.promise);
        store.clear('k');
        expect(store.get('k')).toBeUndefined();
        const fresh = deferred<string>();
        store.start('k', () => fresh.promise);
        old.resolve('stale');
        await tick();
        expect(store.get('k')).toMatchObject({ running: true, data: undefined });
        fresh.resolve('new');
        await tick();
        expect(store.get('k')?.data).toBe('new');
    });

    it('returns the same object until the job changes (for useSyncExternalStore)', async () => {
        const store = new JobStore<string>();
        store.start('k', () => Promise.resolve('x'));
        const a = store.get('k');
        expect(store.get('k')).toBe(a);
        await tick();
        expect(store.get('k')).not.toBe(a);
    });
});
