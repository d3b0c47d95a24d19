import { useCallback, useRef, useSyncExternalStore } from 'react';
import { normalizeAiAnswer } from '../lib/ai';
import { hasRole } from '../lib/api';
import { JobStore, type Job } from '../lib/jobs';
import type { AiAnswer, LlmSettings } from '../lib/types';
import { useSession } from './session';
import { useAsync } from './useAsync';

// One store for the whole page lifetime: an answer that takes minutes keeps coming while the user
// looks at other pages, and is there when they come back.
const aiJobs = new JobStore<AiAnswer>();
const subscribe = (listener: () => void) => aiJobs.subscribe(listener);

export interface AiJobHandle {
    job: Job<AiAnswer> | undefined;
    /// Asks (refresh: skip the server's cache); does nothing while a request for this key is going.
    run: (refresh: boolean) => void;
}

/// The AI request for one subject (`key`: a statement of a target, or a recommendation).
export function useAiJob(key: string, ask: (refresh: boolean) => Promise<AiAnswer>): AiJobHandle {
    const { user } = useSession();
    // Per user: someone else logging in in this tab starts afresh.
    const scoped = `${user?.username ?? ''}\u0000${key}`;
    const askRef = useRef(ask);
    askRef.current = ask;
    const job = useSyncExternalStore(subscribe, () => aiJobs.get(scoped));
    const run = useCallback(
        (refresh: boolean) => {
            aiJobs.start(scoped, () => askRef.current(refresh).then(normalizeAiAnswer), { refresh });
        },
        [scoped],
    );
    return { job, run };
}

export interface AiAvailability {
    /// Whether a provider is set; null while unknown (still loading, or the settings could not be
    /// read): the button is offered and a 409 says the rest.
    configured: boolean | null;
    settings: LlmSettings | undefined;
    canAsk: boolean;
    isAdmin: boolean;
}

/// What the current user can do with the AI assistant; read once per page.
export function useAiAvailability(): AiAvailability {
    const { api, user } = useSession();
    const state = useAsync((signal) => api.llmSettings(signal), [api]);
    return {
        configured: state.data ? state.data.configured === true : null,
        settings: state.data,
        canAsk: hasRole(user?.role, 'operator'),
        isAdmin: hasRole(user?.role, 'admin'),
    };
}
