// Long requests that outlive the page that started them (an AI answer takes up to minutes): the
// state of each by key, so a page left and opened again shows the request still running, or its
// result. Pure apart from the promises it is given; React reads it with useSyncExternalStore.

export interface Job<T> {
    /// Which run this is: a result of an earlier (cleared) run is never applied to a later one.
    run: number;
    running: boolean;
    /// When the current (or last) run started, Unix ms.
    startedAt: number;
    /// The last successful result; kept while a new run is going and after a failed one.
    data: T | undefined;
    /// The last run's failure, cleared when a new run starts.
    error: unknown;
    /// What the last run was started with (e.g. refresh: skip the cache).
    options: Record<string, unknown>;
}

export class JobStore<T> {
    private readonly jobs = new Map<string, Job<T>>();
    private readonly listeners = new Set<() => void>();
    private runs = 0;

    /// The job under `key`, or undefined. The same object until the job changes.
    get(key: string): Job<T> | undefined {
        return this.jobs.get(key);
    }

    /// Starts `run` under `key` unless a run is going there already; returns whether it started.
    start(key: string, run: () => Promise<T>, options: Record<string, unknown> = {}, now: number = Date.now()): boolean {
        const prev = this.jobs.get(key);
        if (prev?.running) return false;
        const id = ++this.runs;
        this.set(key, { run: id, running: true, startedAt: now, data: prev?.data, error: null, options });
        let promise: Promise<T>;
        try {
            promise = run();
        } catch (e) {
            promise = Promise.reject(e);
        }
        promise.then(
            (data) => this.finish(key, id, { data, error: null }),
            (error: unknown) => this.finish(key, id, { error: error ?? new Error('failed') }),
        );
        return true;
    }

    /// Forgets the job under `key` (a running one still finishes, but its result is dropped).
    clear(key: string): void {
        if (this.jobs.delete(key)) this.notify();
    }

    /// Calls `listener` after every change; returns the unsubscribe function.
    subscribe(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => {
            this.listeners.delete(listener);
        };
    }

    private finish(key: string, id: number, result: { data?: T; error: unknown }): void {
        const job = this.jobs.get(key);
        if (!job || job.run !== id) return;
        this.set(key, { ...job, running: false, data: 'data' in result ? result.data : job.data, error: result.error });
    }

    private set(key: string, job: Job<T>): void {
        this.jobs.set(key, job);
        this.notify();
    }

    private notify(): void {
        for (const l of [...this.listeners]) l();
    }
}
