import { createElement } from 'react';
import { Link } from '../app/router';
import type { AiAvailability, AiJobHandle } from '../app/ai';
import { useNow } from '../app/useAsync';
import { AI_PRIVACY_NOTE, AI_SETTINGS_PATH, formatElapsed } from '../lib/ai';
import { ApiError } from '../lib/api';
import { AiAnswerView } from './AiAnswerView';
import { ErrorState } from './States';

function notConfigured(error: unknown): boolean {
    return error instanceof ApiError && error.code === 'llm_not_configured';
}

/// Why there is no Ask AI button: no provider is set (a link to set one up). `compact` for a
/// toolbar among others.
export function AiNotConfigured({ isAdmin, compact }: { isAdmin: boolean; compact?: boolean }) {
    if (compact) {
        return (
            <Link to={AI_SETTINGS_PATH} className="muted" data-testid="ai-not-configured">
                {isAdmin ? 'Set up AI in Settings to ask about it' : 'No AI provider is configured (see Settings)'}
            </Link>
        );
    }
    return (
        <p className="muted" data-testid="ai-not-configured">
            No AI provider is configured.{' '}
            {isAdmin ? (
                <Link to={AI_SETTINGS_PATH}>Set one up in Settings</Link>
            ) : (
                <>
                    An admin can set one up in <Link to={AI_SETTINGS_PATH}>Settings</Link>.
                </>
            )}
        </p>
    );
}

/// "Ask AI", or "Ask again (skip cache)" once there is an answer. Nothing for viewers (the caller
/// says why) and a settings link when no provider is set.
export function AskAiButtons({
    ai,
    availability,
    subject,
    compact,
}: {
    ai: AiJobHandle;
    availability: AiAvailability;
    subject: string;
    compact?: boolean;
}) {
    if (!availability.canAsk) return null;
    const { job, run } = ai;
    if (availability.configured === false || (notConfigured(job?.error) && !job?.running)) {
        return <AiNotConfigured isAdmin={availability.isAdmin} compact={compact} />;
    }
    const running = job?.running === true;
    if (job?.data && !running) {
        return (
            <button type="button" onClick={() => run(true)} aria-label={`Ask again (skip cache) about ${subject}`}>
                Ask again (skip cache)
            </button>
        );
    }
    return (
        <button type="button" className={job || compact ? undefined : 'primary'} onClick={() => run(false)} disabled={running} aria-label={`Ask AI about ${subject}`}>
            {running ? <span className="spinner" aria-hidden="true" /> : null}
            {running ? 'Asking AI…' : 'Ask AI'}
        </button>
    );
}

function Elapsed({ since }: { since: number }) {
    const now = useNow(1000);
    return <span className="mono">{formatElapsed(now - since)}</span>;
}

/// The running request (with its elapsed time), its failure, or the answer; nothing before the first
/// ask or when no provider is set (the button's place says so). `title` puts it in a section with
/// that heading, one level above `level`.
export function AiResult({
    ai,
    availability,
    level,
    title,
}: {
    ai: AiJobHandle;
    availability: AiAvailability;
    level: 3 | 4;
    title?: { id: string; text: string };
}) {
    const { job, run } = ai;
    if (!job || (!job.running && !job.data && notConfigured(job.error))) return null;
    const who = availability.settings?.model ? `${availability.settings.model}` : 'the AI provider';
    const body = (
        <div className="ai-result" data-testid="ai-result">
            {job.running && (
                <div className="ai-progress" data-testid="ai-progress">
                    <span className="spinner" aria-hidden="true" />
                    <span role="status">
                        {job.options.refresh ? `Asking ${who} again, without the cache…` : `Asking ${who}…`} It explains the plan, asks the
                        model and verifies each suggestion; this can take a couple of minutes. You can keep browsing: the answer waits here.
                    </span>
                    <span className="muted nowrap">
                        <span className="visually-hidden">Elapsed: </span>
                        <Elapsed since={job.startedAt} />
                    </span>
                </div>
            )}
            {!job.running && job.error && !notConfigured(job.error) ? (
                <ErrorState error={job.error} what="an answer from the AI provider" onRetry={() => run(false)} />
            ) : null}
            {job.data && (
                <div className={job.running ? 'ai-stale' : undefined} aria-busy={job.running || undefined}>
                    <AiAnswerView answer={job.data} level={level} />
                </div>
            )}
        </div>
    );
    if (!title) return body;
    return (
        <section className="ai-block" aria-labelledby={title.id}>
            {createElement(`h${level - 1}`, { id: title.id }, title.text)}
            {body}
        </section>
    );
}

/// The AI assistant's section content on a page about one subject: the privacy note, the button
/// (or why there is none), and the result.
export function AiAssistant({ ai, availability, subject }: { ai: AiJobHandle; availability: AiAvailability; subject: string }) {
    return (
        <>
            <p className="muted">{AI_PRIVACY_NOTE} Its suggestions are checked by OptiSchema before they are shown as verified.</p>
            <div className="toolbar">
                <AskAiButtons ai={ai} availability={availability} subject={subject} />
                {!availability.canAsk && <span className="muted">Asking AI needs the operator role.</span>}
            </div>
            <AiResult ai={ai} availability={availability} level={3} />
        </>
    );
}
