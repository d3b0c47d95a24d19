import { describe, expect, it } from 'vitest';
import {
    formFromSettings,
    hitRateText,
    inputFromForm,
    isHttpUrl,
    priceText,
    providerInfo,
    removeKeyInput,
    sourceLabel,
    validateLlmForm,
    type LlmForm,
} from './llmSettings';
import type { LlmSettings } from './types';

const saved: LlmSettings = {
    configured: true,
    source: 'dashboard',
    provider: 'openai',
    base_url: 'http://127.0.0.1:11434/v1',
    model: 'qwen2.5-coder',
    has_key: true,
    timeout_s: 90,
    input_usd_per_mtok: 0.15,
    output_usd_per_mtok: 0.6,
    cache: { entries: 3, hits: 1, misses: 3, hit_rate: 0.25, tokens_saved: 2700, cost_saved_usd: 0.0012 },
};

const form = (over: Partial<LlmForm> = {}): LlmForm => ({ ...formFromSettings(saved), ...over });

describe('formFromSettings', () => {
    it('fills the form from the saved settings, never with a key', () => {
        expect(formFromSettings(saved)).toEqual({
            provider: 'openai',
            base_url: 'http://127.0.0.1:11434/v1',
            model: 'qwen2.5-coder',
            timeout_s: '90',
            api_key: '',
            input_usd_per_mtok: '0.15',
            output_usd_per_mtok: '0.6',
        });
    });
    it('starts with OpenAI-compatible, the server\'s 120 s and no prices when nothing is configured', () => {
        const none = { ...saved, configured: false, source: 'none' as const, provider: null, model: '', base_url: '', timeout_s: 120, input_usd_per_mtok: null, output_usd_per_mtok: null };
        expect(formFromSettings(none)).toEqual({ provider: 'openai', base_url: '', model: '', timeout_s: '120', api_key: '', input_usd_per_mtok: '', output_usd_per_mtok: '' });
        expect(formFromSettings(null).timeout_s).toBe('120');
        expect(formFromSettings({ ...saved, provider: 'gemini', timeout_s: 0 })).toMatchObject({ provider: 'gemini', timeout_s: '120' });
    });
});

describe('validateLlmForm', () => {
    it('accepts a complete form, and an empty base URL (the provider’s public endpoint)', () => {
        expect(validateLlmForm(form())).toEqual({});
        expect(validateLlmForm(form({ base_url: '' }))).toEqual({});
    });
    it('wants an http(s) base URL', () => {
        for (const bad of ['localhost:11434/v1', 'ftp://models.example', 'javascript:alert(1)', 'http://']) {
            expect(validateLlmForm(form({ base_url: bad })).base_url, bad).toMatch(/http:\/\/ or https:\/\//);
        }
        expect(isHttpUrl('HTTPS://api.openai.com/v1')).toBe(true);
    });
    it('wants a model, named with an example of the chosen provider', () => {
        expect(validateLlmForm(form({ model: '  ' })).model).toBe('Name the model, e.g. gpt-4o-mini.');
        expect(validateLlmForm(form({ provider: 'gemini', model: '' })).model).toBe('Name the model, e.g. gemini-2.5-flash.');
    });
    it('wants a whole number of seconds from 1 to 3600', () => {
        for (const bad of ['', '0', '-5', '1.5', '3601', 'abc']) expect(validateLlmForm(form({ timeout_s: bad })).timeout_s, bad).toBeDefined();
        expect(validateLlmForm(form({ timeout_s: '3600' })).timeout_s).toBeUndefined();
    });
    it('wants both prices or neither, as dollars of 0 or more', () => {
        expect(validateLlmForm(form({ input_usd_per_mtok: '', output_usd_per_mtok: '' }))).toEqual({});
        expect(validateLlmForm(form({ input_usd_per_mtok: '', output_usd_per_mtok: '0.6' }))).toEqual({ input_usd_per_mtok: 'Give both prices, or neither.' });
        expect(validateLlmForm(form({ input_usd_per_mtok: '-1' })).input_usd_per_mtok).toMatch(/0 or more/);
        expect(validateLlmForm(form({ output_usd_per_mtok: '$2' })).output_usd_per_mtok).toMatch(/0 or more/);
    });
    it('refuses a key with spaces inside (a pasted sentence)', () => {
        expect(validateLlmForm(form({ api_key: 'sk-abc def' })).api_key).toBeDefined();
        expect(validateLlmForm(form({ api_key: '  sk-abc  ' })).api_key).toBeUndefined();
    });
});

describe('inputFromForm', () => {
    it('keeps the stored key when none is typed', () => {
        const input = inputFromForm(form({ base_url: ' http://127.0.0.1:9/v1/ ' }));
        expect(input).toEqual({
            provider: 'openai',
            base_url: 'http://127.0.0.1:9/v1',
            model: 'qwen2.5-coder',
            timeout_s: 90,
            input_usd_per_mtok: 0.15,
            output_usd_per_mtok: 0.6,
        });
        expect('api_key' in input).toBe(false);
    });
    it('sends a typed key trimmed, and no prices as null', () => {
        expect(inputFromForm(form({ api_key: ' sk-new ' })).api_key).toBe('sk-new');
        expect(inputFromForm(form({ input_usd_per_mtok: '', output_usd_per_mtok: ' ' }))).toMatchObject({ input_usd_per_mtok: null, output_usd_per_mtok: null });
    });
    it('removes the key with an empty api_key and nothing else changed', () => {
        expect(removeKeyInput(saved)).toEqual({
            provider: 'openai',
            base_url: 'http://127.0.0.1:11434/v1',
            model: 'qwen2.5-coder',
            timeout_s: 90,
            input_usd_per_mtok: 0.15,
            output_usd_per_mtok: 0.6,
            api_key: '',
        });
    });
});

describe('labels', () => {
    it('names the source, the prices and the hit rate', () => {
        expect(sourceLabel('config')).toBe('the configuration file');
        expect(sourceLabel('none')).toBe('nothing configured');
        expect(priceText(saved)).toBe('$0.15 in, $0.60 out per million tokens');
        expect(priceText({ input_usd_per_mtok: null, output_usd_per_mtok: 0.6 })).toMatch(/price unknown/);
        expect(hitRateText(0.25, 1, 3)).toBe('25.0 %');
        expect(hitRateText(0, 0, 0)).toBe('no requests yet');
    });
    it('gives each provider its default endpoint for the placeholder', () => {
        expect(providerInfo('gemini').defaultBaseUrl).toBe('https://generativelanguage.googleapis.com');
        expect(providerInfo('something else').value).toBe('openai');
    });
});
