import { useCallback, useMemo, useState } from 'react';
import { useAiAvailability, useAiJob, type AiAvailability } from '../../app/ai';
import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useAsync, useTitle } from '../../app/useAsync';
import { AiResult, AskAiButtons } from '../../components/AskAi';
import { Badge, verdictLabel } from '../../components/Badge';
import { CodeBlock } from '../../components/CodeBlock';
import { ConfirmDialog } from '../../components/Dialog';
import { RequireTarget } from '../../components/RequireTarget';
import { Async, Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useToast } from '../../components/Toasts';
import { AI_PRIVACY_NOTE } from '../../lib/ai';
import { hasRole } from '../../lib/api';
import { ellipsize, formatBytes, formatCount, formatMs, formatPct, formatRelative, formatSpeedup } from '../../lib/format';
import { changeState, rankRecommendations, savedMs, savedSharePct, type ChangeState } from '../../lib/recommendations';
import { queryPath } from '../../lib/router';
import type { AuditEvent, ImpactResponse, Recommendation, Target, Validation } from '../../lib/types';
import { ValidationView } from './ValidationView';

function ImpactView({ actionId }: { actionId: number }) {
    const { api } = useSession();
    const state = useAsync<ImpactResponse>((signal) => api.impact(actionId, signal), [api, actionId]);
    return (
        <div data-testid="impact">
            <Async state={state} what="the realized savings">
                {(d) => (
                    <>
                        <p>
                            <strong className="tone-better">{formatMs(d.saved_ms)} saved</strong> since the apply (action #{d.action}
                            {d.index ? `, ${d.index}` : ''}).
                        </p>
                        <div className="table-wrap" tabIndex={0} role="region" aria-label="Realized savings per statement">
                            <table>
                                <caption className="visually-hidden">Realized savings per statement</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">Statement</th>
                                        <th scope="col" className="num">
                                            Mean before
                                        </th>
                                        <th scope="col" className="num">
                                            Mean since
                                        </th>
                                        <th scope="col" className="num">
                                            Calls since
                                        </th>
                                        <th scope="col" className="num">
                                            Saved
                                        </th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {(d.statements ?? []).map((s) => (
                                        <tr key={s.fingerprint}>
                                            <td className="query-cell">
                                                <Link to={queryPath(s.fingerprint)} className="query-text">
                                                    {ellipsize(s.query || s.fingerprint, 120)}
                                                </Link>
                                            </td>
                                            <td className="num">{formatMs(s.mean_ms_before)}</td>
                                            <td className="num">{s.calls_since > 0 ? formatMs(s.mean_ms_since) : 'no calls yet'}</td>
                                            <td className="num">{formatCount(s.calls_since)}</td>
                                            <td className="num">{formatMs(s.saved_ms)}</td>
                                        </tr>
                                    ))}
                                </tbody>
                            </table>
                        </div>
                        <button type="button" className="small" onClick={state.reload}>
                            Refresh
                        </button>
                    </>
                )}
            </Async>
        </div>
    );
}

type Pending = { kind: 'apply' } | { kind: 'rollback'; actionId: number } | null;

function RecommendationCard({
    rec,
    rank,
    target,
    change,
    onChanged,
    ai,
}: {
    rec: Recommendation;
    rank: number;
    target: Target;
    change: ChangeState;
    onChanged: () => void;
    ai: AiAvailability;
}) {
    const { api, user } = useSession();
    const toast = useToast();
    const canOperate = hasRole(user?.role, 'operator');
    const [validation, setValidation] = useState<Validation | null>(rec.validation ?? null);
    const [showValidation, setShowValidation] = useState(false);
    const [validating, setValidating] = useState(false);
    const [validateError, setValidateError] = useState<unknown>(null);
    const [pending, setPending] = useState<Pending>(null);
    const [busy, setBusy] = useState(false);
    const [changeError, setChangeError] = useState<unknown>(null);
    const [showImpact, setShowImpact] = useState(false);
    const ev = rec.evidence ?? {};
    const impact = ev.impact ?? {};
    const queries = Array.isArray(ev.queries) ? ev.queries : [];
    const applied = change.applyId !== null && change.rollbackId === null;
    const titleId = `rec-${rec.id}`;
    const aiJob = useAiJob(`recommendation:${rec.id}`, (refresh) => api.askAiRecommendation(rec.id, refresh));

    const validate = async () => {
        setValidating(true);
        setValidateError(null);
        try {
            const v = await api.validate(rec.id, 10);
            setValidation(v);
            setShowValidation(true);
            toast(`Validated: ${verdictLabel(v.verdict)}${v.verdict === 'improved' ? ` (${formatSpeedup(v.speedup)})` : ''}.`, 'ok');
            onChanged();
        } catch (e) {
            setValidateError(e);
        } finally {
            setValidating(false);
        }
    };

    const confirm = async () => {
        if (!pending) return;
        setBusy(true);
        setChangeError(null);
        try {
            const r = pending.kind === 'apply' ? await api.apply(rec.id) : await api.rollback(pending.actionId);
            toast(r?.message || (pending.kind === 'apply' ? 'Applied.' : 'Rolled back.'), 'ok');
            setPending(null);
            onChanged();
        } catch (e) {
            setChangeError(e);
            setPending(null);
        } finally {
            setBusy(false);
        }
    };

    const stopApply = async () => {
        try {
            await api.cancelApply(rec.id);
            toast('Stopping the index build…', 'ok');
        } catch (e) {
            setChangeError(e);
        }
    };

    return (
        <article className="card" aria-labelledby={titleId} data-testid="recommendation" data-recommendation-id={rec.id}>
            <div className="card-header">
                <h2 id={titleId} className="rec-title">
                    <span className="muted">#{rank}</span>
                    <span>{rec.title || rec.id}</span>
                </h2>
                <div className="toolbar">
                    <Badge tone="info">{rec.kind}</Badge>
                    <Badge tone={validation?.verdict ?? null}>{verdictLabel(validation?.verdict)}</Badge>
                    {applied && <Badge tone="ok">applied</Badge>}
                    {change.rollbackId !== null && <Badge>rolled back</Badge>}
                </div>
            </div>
            <dl className="rec-meta">
                <div>
                    <dt>Projected saving</dt>
                    <dd>
                        {savedMs(rec) !== null ? formatMs(savedMs(rec)) : '—'}
                        {savedSharePct(rec) !== null ? ` (${formatPct(savedSharePct(rec))} of the workload)` : ''}
                    </dd>
                </div>
                {impact.saved_ms_per_hour !== null && impact.saved_ms_per_hour !== undefined && (
                    <div>
                        <dt>Per hour</dt>
                        <dd>{formatMs(impact.saved_ms_per_hour)}</dd>
                    </div>
                )}
                <div>
                    <dt>Estimated size</dt>
                    <dd>{formatBytes(ev.estimated_size_bytes)}</dd>
                </div>
                {validation && (
                    <div>
                        <dt>Validated</dt>
                        <dd>
                            {verdictLabel(validation.verdict)}
                            {validation.verdict === 'improved' ? `, ${formatSpeedup(validation.speedup)}` : ''}
                        </dd>
                    </div>
                )}
                {change.appliedAt && (
                    <div>
                        <dt>{applied ? 'Applied' : 'Was applied'}</dt>
                        <dd>{formatRelative(change.appliedAt)}</dd>
                    </div>
                )}
            </dl>
            {(ev.reason || ev.confidence || ev.write_overhead) && (
                <p className="muted">
                    {[ev.reason && `Why: ${ev.reason}`, ev.confidence, ev.write_overhead && `Writes: ${ev.write_overhead}`].filter(Boolean).join(' · ')}
                </p>
            )}
            <div className="grid-2">
                <CodeBlock code={rec.sql} label="DDL" copyWhat={`DDL of ${rec.id}`} />
                <CodeBlock code={rec.rollback_sql} label="Rollback" copyWhat={`rollback of ${rec.id}`} />
            </div>
            {queries.length > 0 && (
                <details>
                    <summary>
                        Serves {queries.length} statement{queries.length === 1 ? '' : 's'}
                    </summary>
                    <ul>
                        {queries.map((q) => (
                            <li key={q.fingerprint}>
                                <Link to={queryPath(q.fingerprint)} className="query-text">
                                    {ellipsize(q.query, 140)}
                                </Link>
                                {q.cost_before !== undefined && q.cost_after !== undefined && (
                                    <span className="muted">
                                        {' '}
                                        · cost {formatCount(q.cost_before)} → {formatCount(q.cost_after)}
                                    </span>
                                )}
                            </li>
                        ))}
                    </ul>
                </details>
            )}
            <div className="toolbar">
                {canOperate && (
                    <button type="button" className="primary" onClick={() => void validate()} disabled={validating}>
                        {validating ? <span className="spinner" aria-hidden="true" /> : null}
                        {validating ? 'Validating in a sandbox…' : validation ? 'Validate again' : 'Validate'}
                    </button>
                )}
                {validation && (
                    <button type="button" onClick={() => setShowValidation((s) => !s)} aria-expanded={showValidation}>
                        {showValidation ? 'Hide before/after' : 'Show before/after'}
                    </button>
                )}
                {canOperate && rec.kind === 'index' && !applied && (
                    <button type="button" onClick={() => setPending({ kind: 'apply' })}>
                        Apply…
                    </button>
                )}
                {canOperate && applied && change.applyId !== null && (
                    <button type="button" className="danger" onClick={() => setPending({ kind: 'rollback', actionId: change.applyId! })}>
                        Roll back…
                    </button>
                )}
                {change.applyId !== null && (
                    <button type="button" onClick={() => setShowImpact((s) => !s)} aria-expanded={showImpact}>
                        {showImpact ? 'Hide realized savings' : 'Realized savings'}
                    </button>
                )}
                <AskAiButtons ai={aiJob} availability={ai} subject={rec.title || rec.id} compact />
                {!canOperate && <span className="muted">Validating, applying and asking AI need the operator role.</span>}
                {rec.kind === 'rewrite' && <span className="muted">Rewrites are code changes: validate here, change the application.</span>}
            </div>
            {validating && <Loading label="Copying the tables into a sandbox and benchmarking before and after… this can take a minute." />}
            {validateError ? <ErrorState error={validateError} what="a validation" /> : null}
            <InlineError error={changeError} />
            {showValidation && validation && <ValidationView v={validation} />}
            {showImpact && change.applyId !== null && <ImpactView actionId={change.applyId} />}
            <AiResult ai={aiJob} availability={ai} level={4} title={{ id: `${titleId}-ai`, text: 'AI assistant' }} />
            <ConfirmDialog
                open={pending !== null}
                title={pending?.kind === 'rollback' ? 'Roll back this index?' : 'Apply this index?'}
                confirmLabel={pending?.kind === 'rollback' ? 'Roll back' : 'Apply'}
                danger={pending?.kind === 'rollback' || target.production}
                busy={busy}
                onConfirm={() => void confirm()}
                onCancel={() => setPending(null)}
                onStop={pending?.kind === 'apply' ? () => void stopApply() : undefined}
                stopLabel="Stop the build"
            >
                <p>
                    {pending?.kind === 'rollback'
                        ? `This runs the recorded DROP INDEX CONCURRENTLY on ${target.name}.`
                        : `This runs CREATE INDEX CONCURRENTLY on ${target.name}: no table lock, but it reads the whole table and adds write work.`}
                    {target.production ? ' This database is marked as production.' : ''}
                </p>
                <CodeBlock code={pending?.kind === 'rollback' ? rec.rollback_sql : rec.sql} label="SQL" />
                {pending?.kind === 'apply' && !validation && <p className="inline-error">It has not been validated yet.</p>}
            </ConfirmDialog>
        </article>
    );
}

function Optimizations({ target }: { target: Target }) {
    useTitle('Optimizations');
    const { api, user } = useSession();
    const toast = useToast();
    const ai = useAiAvailability();
    const recs = useAsync((signal) => api.recommendations(target.id, signal), [api, target.id]);
    const audit = useAsync<AuditEvent[]>((signal) => api.audit(500, signal), [api]);
    const [advising, setAdvising] = useState(false);
    const [adviseError, setAdviseError] = useState<unknown>(null);
    const ranked = useMemo(() => rankRecommendations(recs.data ?? []), [recs.data]);
    const events = useMemo(() => audit.data ?? [], [audit.data]);
    const totalSaved = ranked.reduce((s, r) => s + (savedMs(r) ?? 0), 0);
    const refresh = useCallback(() => {
        recs.reload();
        audit.reload();
    }, [recs, audit]);

    const advise = async () => {
        setAdvising(true);
        setAdviseError(null);
        try {
            await api.advise(target.id);
            toast('The advisor finished; recommendations updated.', 'ok');
            recs.reload();
        } catch (e) {
            setAdviseError(e);
        } finally {
            setAdvising(false);
        }
    };

    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Optimizations</h1>
                    <p>Indexes and rewrites for {target.name}, ranked by the time they save. Prove each one in a sandbox before applying it.</p>
                </div>
                {hasRole(user?.role, 'operator') && (
                    <button type="button" className="primary" onClick={() => void advise()} disabled={advising}>
                        {advising ? <span className="spinner" aria-hidden="true" /> : null}
                        {advising ? 'Running the advisor…' : 'Run the advisor'}
                    </button>
                )}
            </div>
            {adviseError ? <ErrorState error={adviseError} what="advice" /> : null}
            <Async state={recs} what="recommendations">
                {() =>
                    ranked.length === 0 ? (
                        <Empty title="No recommendations yet.">
                            <p>Run the advisor to cost index candidates for this workload with HypoPG.</p>
                        </Empty>
                    ) : (
                        <>
                            <p className="muted" data-testid="recommendations-summary">
                                {ranked.length} recommendation{ranked.length === 1 ? '' : 's'} · projected saving {formatMs(totalSaved)} in the
                                advisor's window
                                {audit.error ? ' · the audit log could not be read, so apply state may be missing' : ''}
                            </p>
                            {ai.canAsk && ai.configured !== false && <p className="muted">{AI_PRIVACY_NOTE}</p>}
                            {ranked.map((r, i) => (
                                <RecommendationCard
                                    key={r.id}
                                    rec={r}
                                    rank={i + 1}
                                    target={target}
                                    change={changeState(r.id, events)}
                                    onChanged={refresh}
                                    ai={ai}
                                />
                            ))}
                        </>
                    )
                }
            </Async>
        </>
    );
}

export default function OptimizationsPage() {
    return <RequireTarget>{(t) => <Optimizations key={String(t.id)} target={t} />}</RequireTarget>;
}
