import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../lib/api';

export function Loading({ label = 'Loading…' }: { label?: string }) {
    return (
        <div className="state" role="status" aria-live="polite">
            <span className="spinner" aria-hidden="true" /> {label}
        </div>
    );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
    return (
        <div className="state" data-testid="empty-state">
            <p>
                <strong>{title}</strong>
            </p>
            {children}
        </div>
    );
}

/// An error with what to do about it and, when given, a retry button.
export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
    const status = error instanceof ApiError ? error.status : null;
    const hint =
        status === 403
            ? 'Your role does not allow this. Ask an admin.'
            : status === 502
              ? 'The target database did not answer as expected.'
              : status === 0
                ? 'Check that optischema serve is running and reachable.'
                : null;
    return (
        <div className="state error" role="alert">
            <p>
                <strong>{what ? `Could not load ${what}.` : 'Something went wrong.'}</strong> {errorMessage(error)}
            </p>
            {hint && <p>{hint}</p>}
            {onRetry && (
                <button type="button" className="small" onClick={onRetry}>
                    Try again
                </button>
            )}
        </div>
    );
}

export function InlineError({ error }: { error: unknown }) {
    if (!error) return null;
    return (
        <div className="inline-error" role="alert">
            {errorMessage(error)}
        </div>
    );
}

/// Data, loading and error in one place: shows the error or the spinner until data is there.
export function Async<T>({
    state,
    what,
    children,
}: {
    state: { data: T | undefined; error: unknown; loading: boolean; reload: () => void };
    what: string;
    children: (data: T) => ReactNode;
}) {
    if (state.error && state.data === undefined) return <ErrorState error={state.error} onRetry={state.reload} what={what} />;
    if (state.data === undefined) return <Loading label={`Loading ${what}…`} />;
    return (
        <>
            {state.error ? <ErrorState error={state.error} onRetry={state.reload} what={`the latest ${what}`} /> : null}
            {children(state.data)}
        </>
    );
}
