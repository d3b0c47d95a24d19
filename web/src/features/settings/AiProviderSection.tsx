import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useSession } from '../../app/session';
import { useAsync } from '../../app/useAsync';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/Dialog';
import { Async, InlineError } from '../../components/States';
import { useToast } from '../../components/Toasts';
import { AI_PRIVACY_NOTE, AI_SECTION_ID, formatUsd } from '../../lib/ai';
import { hasRole } from '../../lib/api';
import { formatCount, formatMs } from '../../lib/format';
import {
    formFromSettings,
    hitRateText,
    inputFromForm,
    MAX_TIMEOUT_S,
    priceText,
    providerInfo,
    PROVIDERS,
    removeKeyInput,
    sourceLabel,
    validateLlmForm,
    type LlmForm,
    type LlmFormErrors,
} from '../../lib/llmSettings';
import type { LlmCacheStats, LlmProvider, LlmSettings, LlmTestResponse } from '../../lib/types';

function SettingsSummary({ s }: { s: LlmSettings }) {
    const info = providerInfo(s.provider);
    return (
        <dl className="rec-meta" data-testid="ai-settings-summary">
            <div>
                <dt>Settings from</dt>
                <dd>{sourceLabel(s.source)}</dd>
            </div>
            <div>
                <dt>Provider</dt>
                <dd>{s.configured || s.source !== 'none' ? info.label : '—'}</dd>
            </div>
            <div>
                <dt>Base URL</dt>
                <dd className="mono break">{s.base_url || `${info.defaultBaseUrl} (the default)`}</dd>
            </div>
            <div>
                <dt>Model</dt>
                <dd className="mono">{s.model || '—'}</dd>
            </div>
            <div>
                <dt>API key</dt>
                <dd>{s.has_key ? 'stored (never shown)' : 'none'}</dd>
            </div>
            <div>
                <dt>Timeout</dt>
                <dd>{s.timeout_s > 0 ? `${formatCount(s.timeout_s)} s` : '—'}</dd>
            </div>
            <div>
                <dt>Prices</dt>
                <dd>{priceText(s)}</dd>
            </div>
        </dl>
    );
}

function CacheStats({ cache, priced }: { cache: LlmCacheStats | null | undefined; priced: boolean }) {
    if (!cache) return null;
    return (
        <section className="mt" aria-labelledby="ai-cache-title" data-testid="ai-cache">
            <h3 id="ai-cache-title">Answer cache</h3>
            <p className="muted">The same question about the same plan, model and endpoint is answered from the cache for 7 days, at no cost.</p>
            <div className="stats">
                <div className="stat">
                    <div className="stat-label">Entries</div>
                    <div className="stat-value">{formatCount(cache.entries)}</div>
                </div>
                <div className="stat">
                    <div className="stat-label">Hit rate</div>
                    <div className="stat-value">{hitRateText(cache.hit_rate, cache.hits, cache.misses)}</div>
                    <div className="stat-sub">
                        {formatCount(cache.hits)} hits · {formatCount(cache.misses)} misses
                    </div>
                </div>
                <div className="stat">
                    <div className="stat-label">Tokens saved</div>
                    <div className="stat-value">{formatCount(cache.tokens_saved)}</div>
                </div>
                <div className="stat">
                    <div className="stat-label">Dollars saved</div>
                    <div className="stat-value">{priced || cache.cost_saved_usd > 0 ? formatUsd(cache.cost_saved_usd) : 'unknown'}</div>
                    {!priced && <div className="stat-sub">set prices to count them</div>}
                </div>
            </div>
        </section>
    );
}

function TestResult({ result, error }: { result: LlmTestResponse | null; error: unknown }) {
    if (error) return <InlineError error={error} />;
    if (!result) return null;
    if (result.ok) {
        return (
            <p className="inline-ok" role="status" data-testid="ai-test-result">
                Connection works: {result.model || 'the model'} ({result.provider || 'provider'}) answered in {formatMs(result.latency_ms)}.
            </p>
        );
    }
    return (
        <p className="inline-error" role="alert" data-testid="ai-test-result">
            The test failed: {result.error || 'the provider gave no answer.'}
        </p>
    );
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
    if (!text) return null;
    return (
        <span id={id} className="field-error">
            {text}
        </span>
    );
}

type Busy = 'test' | 'save' | 'reset' | 'remove' | null;

/// The admin's form: test the unsaved settings, save them, remove the stored key, or go back to the
/// configuration file.
function ProviderForm({ saved, onSaved }: { saved: LlmSettings; onSaved: (s: LlmSettings) => void }) {
    const { api } = useSession();
    const toast = useToast();
    const [form, setForm] = useState<LlmForm>(() => formFromSettings(saved));
    const [errors, setErrors] = useState<LlmFormErrors>({});
    const [busy, setBusy] = useState<Busy>(null);
    const [error, setError] = useState<unknown>(null);
    const [test, setTest] = useState<{ result: LlmTestResponse | null; error: unknown } | null>(null);
    const [confirm, setConfirm] = useState<'reset' | 'remove' | null>(null);
    const info = providerInfo(form.provider);

    const change = (patch: Partial<LlmForm>) => {
        setForm((f) => ({ ...f, ...patch }));
        setTest(null);
        setErrors((e) => {
            const next = { ...e };
            for (const k of Object.keys(patch) as (keyof LlmForm)[]) delete next[k];
            return next;
        });
    };

    const valid = (): boolean => {
        const e = validateLlmForm(form);
        setErrors(e);
        if (Object.keys(e).length > 0) {
            document.getElementById(`llm-${Object.keys(e)[0]}`)?.focus();
            return false;
        }
        return true;
    };

    const runTest = async () => {
        if (!valid()) return;
        setBusy('test');
        setTest(null);
        try {
            setTest({ result: await api.testLlm(inputFromForm(form)), error: null });
        } catch (e) {
            setTest({ result: null, error: e });
        } finally {
            setBusy(null);
        }
    };

    const apply = async (kind: Exclude<Busy, 'test' | null>) => {
        setBusy(kind);
        setError(null);
        try {
            const next =
                kind === 'save'
                    ? await api.saveLlmSettings(inputFromForm(form))
                    : kind === 'remove'
                      ? await api.saveLlmSettings(removeKeyInput(saved))
                      : await api.resetLlmSettings();
            onSaved(next);
            setForm((f) => ({ ...formFromSettings(next), ...(kind === 'remove' ? { ...f, api_key: '' } : {}) }));
            if (kind === 'save') toast('AI provider saved.', 'ok');
            if (kind === 'reset') toast('Back to the configuration file’s AI settings.', 'ok');
            if (kind === 'remove') {
                toast(
                    next.has_key
                        ? 'The stored key was removed; a key from the configuration file or OPTISCHEMA_LLM_API_KEY is still used.'
                        : 'The stored API key was removed.',
                    'ok',
                );
            }
        } catch (e) {
            setError(e);
        } finally {
            setBusy(null);
            setConfirm(null);
        }
    };

    const save = (e: FormEvent) => {
        e.preventDefault();
        if (valid()) void apply('save');
    };

    const describe = (field: keyof LlmForm, hint?: string) =>
        [hint, errors[field] ? `llm-${field}-error` : undefined].filter(Boolean).join(' ') || undefined;

    return (
        <form onSubmit={save} aria-labelledby="ai-form-title" data-testid="ai-form" noValidate>
            <h3 id="ai-form-title">Change the provider</h3>
            <div className="field-row">
                <div className="field">
                    <label htmlFor="llm-provider">Provider</label>
                    <select id="llm-provider" value={form.provider} onChange={(e) => change({ provider: e.target.value as LlmProvider })}>
                        {PROVIDERS.map((p) => (
                            <option key={p.value} value={p.value}>
                                {p.label}
                            </option>
                        ))}
                    </select>
                </div>
                <div className="field">
                    <label htmlFor="llm-model">Model</label>
                    <input
                        id="llm-model"
                        className="mono"
                        value={form.model}
                        onChange={(e) => change({ model: e.target.value })}
                        placeholder={info.exampleModel}
                        autoComplete="off"
                        spellCheck={false}
                        aria-invalid={errors.model ? true : undefined}
                        aria-describedby={describe('model')}
                    />
                    <FieldError id="llm-model-error" text={errors.model} />
                </div>
            </div>
            <div className="field">
                <label htmlFor="llm-base_url">
                    Base URL{' '}
                    <span className="hint" id="llm-base_url-hint">
                        {form.provider === 'openai'
                            ? 'any OpenAI-compatible API with its version: OpenAI, DeepSeek, Ollama, vLLM, llama.cpp; empty for OpenAI'
                            : 'empty for Google’s public endpoint'}
                    </span>
                </label>
                <input
                    id="llm-base_url"
                    className="mono"
                    type="url"
                    inputMode="url"
                    value={form.base_url}
                    onChange={(e) => change({ base_url: e.target.value })}
                    placeholder={info.defaultBaseUrl}
                    autoComplete="off"
                    spellCheck={false}
                    aria-invalid={errors.base_url ? true : undefined}
                    aria-describedby={describe('base_url', 'llm-base_url-hint')}
                />
                <FieldError id="llm-base_url-error" text={errors.base_url} />
            </div>
            <div className="field-row">
                <div className="field">
                    <label htmlFor="llm-api_key">
                        API key{' '}
                        <span className="hint" id="llm-api_key-hint">
                            {saved.has_key ? 'a key is stored: leave empty to keep the stored key' : 'optional for local servers; stored encrypted, never shown again'}
                        </span>
                    </label>
                    <input
                        id="llm-api_key"
                        className="mono"
                        type="password"
                        value={form.api_key}
                        onChange={(e) => change({ api_key: e.target.value })}
                        autoComplete="off"
                        spellCheck={false}
                        aria-invalid={errors.api_key ? true : undefined}
                        aria-describedby={describe('api_key', 'llm-api_key-hint')}
                    />
                    <FieldError id="llm-api_key-error" text={errors.api_key} />
                </div>
                <div className="field">
                    <label htmlFor="llm-timeout_s">Timeout (seconds)</label>
                    <input
                        id="llm-timeout_s"
                        type="number"
                        min={1}
                        max={MAX_TIMEOUT_S}
                        step={1}
                        value={form.timeout_s}
                        onChange={(e) => change({ timeout_s: e.target.value })}
                        aria-invalid={errors.timeout_s ? true : undefined}
                        aria-describedby={describe('timeout_s')}
                    />
                    <FieldError id="llm-timeout_s-error" text={errors.timeout_s} />
                </div>
            </div>
            <fieldset className="plain">
                <legend className="field-legend">
                    Prices <span className="hint">US dollars per million tokens, optional: both or neither; without them costs show as “price unknown”</span>
                </legend>
                <div className="field-row">
                    {(['input_usd_per_mtok', 'output_usd_per_mtok'] as const).map((k) => (
                        <div className="field" key={k}>
                            <label htmlFor={`llm-${k}`}>{k === 'input_usd_per_mtok' ? 'Input' : 'Output'} price</label>
                            <input
                                id={`llm-${k}`}
                                inputMode="decimal"
                                value={form[k]}
                                onChange={(e) => change({ [k]: e.target.value })}
                                placeholder={k === 'input_usd_per_mtok' ? '0.15' : '0.60'}
                                autoComplete="off"
                                aria-invalid={errors[k] ? true : undefined}
                                aria-describedby={describe(k)}
                            />
                            <FieldError id={`llm-${k}-error`} text={errors[k]} />
                        </div>
                    ))}
                </div>
            </fieldset>
            <div className="toolbar mt">
                <button type="button" onClick={() => void runTest()} disabled={busy !== null}>
                    {busy === 'test' ? <span className="spinner" aria-hidden="true" /> : null}
                    Test connection
                </button>
                <button type="submit" className="primary" disabled={busy !== null}>
                    {busy === 'save' ? <span className="spinner" aria-hidden="true" /> : null}
                    Save
                </button>
                {saved.has_key && saved.source === 'dashboard' && (
                    <button type="button" className="danger" onClick={() => setConfirm('remove')} disabled={busy !== null}>
                        Remove the stored key…
                    </button>
                )}
                {saved.source === 'dashboard' && (
                    <button type="button" onClick={() => setConfirm('reset')} disabled={busy !== null}>
                        Reset to config file…
                    </button>
                )}
            </div>
            <p className="muted">Test connection sends one tiny request with the settings above, saved or not; it is never cached.</p>
            <div aria-live="polite">{test && <TestResult result={test.result} error={test.error} />}</div>
            <InlineError error={error} />
            <ConfirmDialog
                open={confirm !== null}
                title={confirm === 'remove' ? 'Remove the stored API key?' : 'Go back to the configuration file’s settings?'}
                confirmLabel={confirm === 'remove' ? 'Remove key' : 'Reset'}
                danger={confirm === 'remove'}
                busy={busy === 'remove' || busy === 'reset'}
                onConfirm={() => confirm && void apply(confirm)}
                onCancel={() => setConfirm(null)}
            >
                <p>
                    {confirm === 'remove'
                        ? 'Requests are then sent without a key, unless the configuration file or OPTISCHEMA_LLM_API_KEY provides one.'
                        : 'What was saved in the dashboard, its key included, is deleted; the [llm] section of the configuration file applies again (or no provider, when it has none).'}
                </p>
            </ConfirmDialog>
        </form>
    );
}

/// The AI provider: what is in effect (everyone sees it), the cache's savings, and for admins the
/// form. Other pages link here with #ai-provider.
export function AiProviderSection() {
    const { api, user } = useSession();
    const isAdmin = hasRole(user?.role, 'admin');
    const state = useAsync((signal) => api.llmSettings(signal), [api]);
    const ref = useRef<HTMLElement>(null);
    const loaded = state.data !== undefined;

    // Arriving from an "ask AI" link: bring the section into view once its content is there.
    useEffect(() => {
        if (!loaded || window.location.hash !== `#${AI_SECTION_ID}`) return;
        const id = requestAnimationFrame(() => {
            ref.current?.scrollIntoView({ block: 'start' });
            ref.current?.focus({ preventScroll: true });
        });
        return () => cancelAnimationFrame(id);
    }, [loaded]);

    const configured = state.data?.configured === true;
    return (
        <section className="card" id={AI_SECTION_ID} ref={ref} tabIndex={-1} aria-labelledby="ai-title" data-testid="ai-provider">
            <div className="card-header">
                <h2 id="ai-title">AI provider</h2>
                {loaded && <Badge tone={configured ? 'ok' : null}>{configured ? 'configured' : 'not configured'}</Badge>}
            </div>
            <p className="muted">
                An OpenAI-compatible or Gemini model explains plans in plain language and proposes rewrites and indexes; OptiSchema verifies
                each suggestion (rewrites in the sandbox, indexes with HypoPG) before calling it verified. Nothing is applied by the model.
            </p>
            <p className="note" data-testid="ai-privacy-note">
                <strong>What is sent:</strong> {AI_PRIVACY_NOTE} The API key is stored encrypted and never shown.
            </p>
            <Async state={state} what="the AI provider settings">
                {(s) => (
                    <>
                        {s.problem ? (
                            <p className="inline-error" role="alert" data-testid="ai-settings-problem">
                                These settings cannot be used now: {s.problem}
                            </p>
                        ) : null}
                        <SettingsSummary s={s} />
                        <CacheStats cache={s.cache} priced={typeof s.input_usd_per_mtok === 'number'} />
                        {isAdmin ? (
                            <ProviderForm saved={s} onSaved={(next) => state.setData(() => next)} />
                        ) : (
                            <p className="muted">Changing the provider needs the admin role.</p>
                        )}
                    </>
                )}
            </Async>
        </section>
    );
}
