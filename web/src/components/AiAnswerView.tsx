import { createElement, useId, type ReactNode } from 'react';
import {
    answerMeta,
    indexIdeaOutcome,
    rewriteOutcome,
    sortIndexIdeas,
    sortRewrites,
    statusHelp,
    statusTone,
    suggestionSummary,
} from '../lib/ai';
import { headingOffsetFor } from '../lib/markdown';
import type { AiAnswer, SuggestionStatus } from '../lib/types';
import { Badge } from './Badge';
import { CodeBlock } from './CodeBlock';
import { Markdown } from './Markdown';

type Level = 2 | 3 | 4 | 5 | 6;

function Heading({ level, id, className, children }: { level: number; id?: string; className?: string; children: ReactNode }) {
    return createElement(`h${Math.min(6, level)}`, { id, className }, children);
}

const OUTCOME_LABEL: Record<SuggestionStatus, string> = { verified: 'Verified', rejected: 'Rejected', unverified: 'Not verified' };

function Suggestion({
    kind,
    n,
    level,
    code,
    status,
    rationale,
    outcome,
    model,
}: {
    kind: 'Rewrite' | 'Index idea';
    n: number;
    level: number;
    code: string;
    status: SuggestionStatus;
    rationale: string;
    outcome: string;
    model: string;
}) {
    const id = useId();
    return (
        <article className={`ai-suggestion ${status}`} aria-labelledby={id} data-testid={kind === 'Rewrite' ? 'ai-rewrite' : 'ai-index-idea'} data-status={status}>
            <Heading level={level} id={id} className="rec-title">
                <span>
                    {kind} {n}
                </span>
                <Badge tone={statusTone(status)}>
                    <span title={statusHelp(status)}>{status}</span>
                </Badge>
            </Heading>
            <CodeBlock code={code} label={kind === 'Rewrite' ? 'SQL' : 'DDL'} copyWhat={`${kind.toLowerCase()} ${n}`} />
            {rationale && <p>{rationale}</p>}
            {outcome && (
                <p className={status === 'verified' ? 'tone-better' : 'muted'}>
                    <strong>{OUTCOME_LABEL[status]}:</strong> {outcome}
                </p>
            )}
            <p className="muted small">Suggested by {model || 'the model'}.</p>
        </article>
    );
}

/// One answer of the AI assistant: who answered and what it cost, the explanation (safe markdown),
/// the rewrites and index ideas with what OptiSchema's verification found, the risks, and the
/// notes about the answer. `level` is the heading level of its sections.
export function AiAnswerView({ answer, level }: { answer: AiAnswer; level: Level }) {
    const rewrites = sortRewrites(answer.rewrites);
    const ideas = sortIndexIdeas(answer.index_ideas);
    const hasSuggestions = rewrites.length + ideas.length > 0;
    const base = useId();
    return (
        <div className="ai-answer" data-testid="ai-answer">
            <p className="ai-meta">
                {answer.from_cache && <Badge tone="info">from cache</Badge>}
                <span data-testid="ai-meta">{answerMeta(answer).join(' · ')}</span>
            </p>
            {answer.error ? (
                <div className="state error" role="alert" data-testid="ai-error">
                    <p>
                        <strong>The AI provider gave no usable answer.</strong> {answer.error}
                    </p>
                    <p>The plan and findings above do not depend on it. Ask again, or check the provider in Settings.</p>
                </div>
            ) : null}
            {answer.explanation.trim() !== '' && (
                <section aria-labelledby={`${base}-explanation`}>
                    <Heading level={level} id={`${base}-explanation`}>
                        Explanation
                    </Heading>
                    <Markdown text={answer.explanation} headingOffset={headingOffsetFor(answer.explanation, level + 1)} />
                </section>
            )}
            {!answer.error && (
                <p className="muted" data-testid="ai-summary">
                    {hasSuggestions ? `Suggested: ${suggestionSummary(answer)}.` : 'No rewrite or index was suggested.'} Verified means
                    OptiSchema proved it: a rewrite returned the same rows faster in the sandbox, an index lowered the planner's cost
                    (HypoPG). Nothing was applied.
                </p>
            )}
            {rewrites.length > 0 && (
                <section aria-labelledby={`${base}-rewrites`}>
                    <Heading level={level} id={`${base}-rewrites`}>
                        Rewrites
                    </Heading>
                    {rewrites.map((r, i) => (
                        <Suggestion
                            key={`${i}-${r.sql}`}
                            kind="Rewrite"
                            n={i + 1}
                            level={level + 1}
                            code={r.sql}
                            status={r.status}
                            rationale={r.rationale}
                            outcome={rewriteOutcome(r)}
                            model={r.model}
                        />
                    ))}
                </section>
            )}
            {ideas.length > 0 && (
                <section aria-labelledby={`${base}-ideas`}>
                    <Heading level={level} id={`${base}-ideas`}>
                        Index ideas
                    </Heading>
                    {ideas.map((idea, i) => (
                        <Suggestion
                            key={`${i}-${idea.ddl}`}
                            kind="Index idea"
                            n={i + 1}
                            level={level + 1}
                            code={idea.ddl}
                            status={idea.status}
                            rationale={idea.rationale}
                            outcome={indexIdeaOutcome(idea)}
                            model={idea.model}
                        />
                    ))}
                </section>
            )}
            {answer.risks.length > 0 && (
                <section aria-labelledby={`${base}-risks`}>
                    <Heading level={level} id={`${base}-risks`}>
                        Risks
                    </Heading>
                    <ul>
                        {answer.risks.map((r, i) => (
                            <li key={i}>{r}</li>
                        ))}
                    </ul>
                </section>
            )}
            {answer.warnings.length > 0 && (
                <section aria-labelledby={`${base}-warnings`}>
                    <Heading level={level} id={`${base}-warnings`}>
                        Notes about this answer
                    </Heading>
                    <ul className="muted">
                        {answer.warnings.map((w, i) => (
                            <li key={i}>{w}</li>
                        ))}
                    </ul>
                </section>
            )}
        </div>
    );
}
