// The AI provider settings form (Settings page): its fields from the saved settings, validation,
// and the request body it becomes. Pure.

import { formatShare } from './format';
import type { LlmProvider, LlmSettings, LlmSettingsInput } from './types';

export interface ProviderInfo {
    value: LlmProvider;
    label: string;
    /// Where requests go when the base URL is left empty.
    defaultBaseUrl: string;
    exampleModel: string;
}

export const PROVIDERS: readonly ProviderInfo[] = [
    { value: 'openai', label: 'OpenAI-compatible', defaultBaseUrl: 'https://api.openai.com/v1', exampleModel: 'gpt-4o-mini' },
    { value: 'gemini', label: 'Google Gemini', defaultBaseUrl: 'https://generativelanguage.googleapis.com', exampleModel: 'gemini-2.5-flash' },
];

export function providerInfo(p: string | null | undefined): ProviderInfo {
    return PROVIDERS.find((x) => x.value === p) ?? PROVIDERS[0]!;
}

export const MAX_TIMEOUT_S = 3600;
/// The server's timeout when none is given.
export const DEFAULT_TIMEOUT_S = 120;

export interface LlmForm {
    provider: LlmProvider;
    base_url: string;
    model: string;
    /// As typed; validated into a number.
    timeout_s: string;
    /// Empty keeps the stored key.
    api_key: string;
    /// US dollars per million tokens, as typed: both or neither (then costs are "price unknown").
    input_usd_per_mtok: string;
    output_usd_per_mtok: string;
}

export type LlmFormErrors = Partial<Record<keyof LlmForm, string>>;

/// The form's fields from the saved settings (the key field starts empty: the key is never sent back).
export function formFromSettings(s: LlmSettings | null | undefined): LlmForm {
    return {
        provider: s?.provider === 'gemini' ? 'gemini' : 'openai',
        base_url: s?.base_url ?? '',
        model: s?.model ?? '',
        timeout_s: String(s?.timeout_s && s.timeout_s > 0 ? s.timeout_s : DEFAULT_TIMEOUT_S),
        api_key: '',
        input_usd_per_mtok: price(s?.input_usd_per_mtok),
        output_usd_per_mtok: price(s?.output_usd_per_mtok),
    };
}

function price(v: number | null | undefined): string {
    return typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

function readPrice(v: string): number | null {
    const t = v.trim();
    if (t === '') return null;
    const n = Number(t);
    return Number.isFinite(n) && n >= 0 ? n : NaN;
}

/// True for an absolute http:// or https:// URL with a host.
export function isHttpUrl(raw: string): boolean {
    try {
        const u = new URL(raw.trim());
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
        return false;
    }
}

/// What is wrong with the form, by field; empty when it can be sent. An empty base URL means the
/// provider's public endpoint.
export function validateLlmForm(f: LlmForm): LlmFormErrors {
    const errors: LlmFormErrors = {};
    if (!PROVIDERS.some((p) => p.value === f.provider)) errors.provider = 'Choose OpenAI-compatible or Gemini.';
    if (f.base_url.trim() !== '' && !isHttpUrl(f.base_url)) {
        errors.base_url = 'The base URL must start with http:// or https://, e.g. http://localhost:11434/v1.';
    }
    if (f.model.trim() === '') errors.model = `Name the model, e.g. ${providerInfo(f.provider).exampleModel}.`;
    const t = Number(f.timeout_s);
    if (f.timeout_s.trim() === '' || !Number.isFinite(t) || t < 1 || t > MAX_TIMEOUT_S || !Number.isInteger(t)) {
        errors.timeout_s = `The timeout is a whole number of seconds from 1 to ${MAX_TIMEOUT_S}.`;
    }
    if (/\s/.test(f.api_key.trim())) errors.api_key = 'An API key has no spaces.';
    const input = readPrice(f.input_usd_per_mtok);
    const output = readPrice(f.output_usd_per_mtok);
    if (Number.isNaN(input)) errors.input_usd_per_mtok = 'A price is a number of dollars, 0 or more.';
    if (Number.isNaN(output)) errors.output_usd_per_mtok = 'A price is a number of dollars, 0 or more.';
    if (!errors.input_usd_per_mtok && !errors.output_usd_per_mtok && (input === null) !== (output === null)) {
        errors[input === null ? 'input_usd_per_mtok' : 'output_usd_per_mtok'] = 'Give both prices, or neither.';
    }
    return errors;
}

/// The body of PUT /settings/llm and POST /settings/llm/test: no api_key unless one was typed, so
/// the stored key is kept.
export function inputFromForm(f: LlmForm): LlmSettingsInput {
    const input: LlmSettingsInput = {
        provider: f.provider,
        base_url: f.base_url.trim().replace(/\/+$/, ''),
        model: f.model.trim(),
        timeout_s: Number(f.timeout_s),
        input_usd_per_mtok: readPrice(f.input_usd_per_mtok),
        output_usd_per_mtok: readPrice(f.output_usd_per_mtok),
    };
    const key = f.api_key.trim();
    if (key !== '') input.api_key = key;
    return input;
}

/// The saved settings as a PUT body that removes the stored key and changes nothing else.
export function removeKeyInput(s: LlmSettings): LlmSettingsInput {
    return {
        provider: s.provider ?? 'openai',
        base_url: s.base_url ?? '',
        model: s.model ?? '',
        timeout_s: s.timeout_s,
        input_usd_per_mtok: s.input_usd_per_mtok ?? null,
        output_usd_per_mtok: s.output_usd_per_mtok ?? null,
        api_key: '',
    };
}

/// Where the settings in effect come from.
export function sourceLabel(source: LlmSettings['source'] | undefined): string {
    if (source === 'dashboard') return 'saved in the dashboard';
    if (source === 'config') return 'the configuration file';
    return 'nothing configured';
}

/// "$0.15 in, $0.60 out per million tokens", or that no price is known (costs then show as unknown).
export function priceText(s: Pick<LlmSettings, 'input_usd_per_mtok' | 'output_usd_per_mtok'>): string {
    const i = s.input_usd_per_mtok;
    const o = s.output_usd_per_mtok;
    if (typeof i !== 'number' || typeof o !== 'number') return 'not configured (costs show as “price unknown”)';
    const usd = (v: number) => `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
    return `${usd(i)} in, ${usd(o)} out per million tokens`;
}

/// The cache's hit rate (0..1) as a percentage, "—" before the first request.
export function hitRateText(hitRate: unknown, hits: number, misses: number): string {
    return hits + misses === 0 ? 'no requests yet' : formatShare(hitRate);
}
