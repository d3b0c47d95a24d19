// Safe markdown for LLM explanations: a small parser into a tree, rendered as React elements
// (never as HTML strings). Supported: ATX headings, paragraphs, bullet and numbered lists, fenced
// code blocks, inline code, *emphasis*, **strong**, and [links](https://...) with http(s) or mailto
// targets only. Anything else (HTML, images, tables) is shown as its literal text.

import { createElement, Fragment, type ReactNode } from 'react';

export type Inline =
    | { type: 'text'; text: string }
    | { type: 'code'; text: string }
    | { type: 'em'; children: Inline[] }
    | { type: 'strong'; children: Inline[] }
    | { type: 'link'; href: string; children: Inline[] };

export type Block =
    | { type: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
    | { type: 'paragraph'; children: Inline[] }
    | { type: 'list'; ordered: boolean; start: number; items: Inline[][] }
    | { type: 'code'; lang: string; text: string };

/// A link target that is safe to put in href: absolute http(s) or mailto; null otherwise
/// (javascript:, data:, relative and protocol-relative URLs are refused).
export function safeHref(raw: string): string | null {
    const href = raw.trim();
    if (!/^(https?:\/\/|mailto:)/i.test(href)) return null;
    try {
        const u = new URL(href);
        if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'mailto:') return null;
        return u.href;
    } catch {
        return null;
    }
}

/// Parses inline markup. Unmatched markers stay literal.
export function parseInline(text: string): Inline[] {
    const out: Inline[] = [];
    let buf = '';
    const flush = () => {
        if (buf) out.push({ type: 'text', text: buf });
        buf = '';
    };
    let i = 0;
    while (i < text.length) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#+\-.!]/.test(text[i + 1]!)) {
            buf += text[i + 1];
            i += 2;
            continue;
        }
        if (c === '`') {
            let ticks = 1;
            while (text[i + ticks] === '`') ticks++;
            const fence = '`'.repeat(ticks);
            const end = text.indexOf(fence, i + ticks);
            if (end > i) {
                flush();
                out.push({ type: 'code', text: text.slice(i + ticks, end).replace(/^ (.*) $/, '$1') });
                i = end + ticks;
                continue;
            }
        }
        if ((c === '*' || c === '_') && text[i + 1] === c) {
            const end = text.indexOf(c + c, i + 2);
            if (end > i + 2) {
                flush();
                out.push({ type: 'strong', children: parseInline(text.slice(i + 2, end)) });
                i = end + 2;
                continue;
            }
        }
        if (c === '*' || c === '_') {
            // Emphasis needs a non-space after the opener and before the closer; `_` only at word edges,
            // so snake_case_names stay as they are.
            const prevWord = i > 0 && /\w/.test(text[i - 1]!);
            if (!(c === '_' && prevWord) && text[i + 1] && text[i + 1] !== ' ' && text[i + 1] !== c) {
                let end = -1;
                for (let j = i + 1; j < text.length; j++) {
                    if (text[j] === c && text[j - 1] !== ' ' && text[j + 1] !== c) {
                        if (c === '_' && j + 1 < text.length && /\w/.test(text[j + 1]!)) continue;
                        end = j;
                        break;
                    }
                }
                if (end > i + 1) {
                    flush();
                    out.push({ type: 'em', children: parseInline(text.slice(i + 1, end)) });
                    i = end + 1;
                    continue;
                }
            }
        }
        if (c === '[') {
            const close = text.indexOf('](', i + 1);
            let endParen = -1;
            if (close > i) {
                // The target may hold balanced parentheses: [x](https://e.org/a_(b)).
                let depth = 0;
                for (let j = close + 2; j < text.length; j++) {
                    if (text[j] === '(') depth++;
                    else if (text[j] === ')') {
                        if (depth === 0) {
                            endParen = j;
                            break;
                        }
                        depth--;
                    }
                }
            }
            if (close > i && endParen > close) {
                const href = safeHref(text.slice(close + 2, endParen));
                const label = parseInline(text.slice(i + 1, close));
                flush();
                if (href) out.push({ type: 'link', href, children: label });
                else out.push(...label);
                i = endParen + 1;
                continue;
            }
        }
        buf += c;
        i++;
    }
    flush();
    return out;
}

const FENCE = /^\s*(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;

/// Parses markdown text into blocks.
export function parseMarkdown(source: string): Block[] {
    const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
    const blocks: Block[] = [];
    let para: string[] = [];
    const endPara = () => {
        if (para.length) blocks.push({ type: 'paragraph', children: parseInline(para.join(' ')) });
        para = [];
    };
    let i = 0;
    while (i < lines.length) {
        const line = lines[i]!;
        const fence = FENCE.exec(line);
        if (fence) {
            endPara();
            const marker = fence[1]!;
            const body: string[] = [];
            i++;
            while (i < lines.length && !lines[i]!.trim().startsWith(marker)) body.push(lines[i++]!);
            i++; // the closing fence (or the end of the text)
            blocks.push({ type: 'code', lang: fence[2] ?? '', text: body.join('\n') });
            continue;
        }
        const heading = HEADING.exec(line);
        if (heading) {
            endPara();
            const level = Math.min(6, heading[1]!.length) as 1 | 2 | 3 | 4 | 5 | 6;
            blocks.push({ type: 'heading', level, children: parseInline(heading[2] ?? '') });
            i++;
            continue;
        }
        const bullet = BULLET.exec(line);
        const ordered = ORDERED.exec(line);
        if (bullet || ordered) {
            endPara();
            const isOrdered = !bullet;
            const start = ordered ? Number(ordered[1]) : 1;
            const items: Inline[][] = [];
            let current: string[] = [];
            while (i < lines.length) {
                const l = lines[i]!;
                const b = BULLET.exec(l);
                const o = ORDERED.exec(l);
                if ((isOrdered && o) || (!isOrdered && b)) {
                    if (current.length) items.push(parseInline(current.join(' ')));
                    current = [((isOrdered ? o?.[2] : b?.[1]) ?? '').trim()];
                    i++;
                } else if (l.trim() !== '' && /^\s+/.test(l) && !FENCE.test(l)) {
                    current.push(l.trim()); // a continuation line of the item
                    i++;
                } else break;
            }
            if (current.length) items.push(parseInline(current.join(' ')));
            blocks.push({ type: 'list', ordered: isOrdered, start, items });
            continue;
        }
        if (line.trim() === '') endPara();
        else para.push(line.trim());
        i++;
    }
    endPara();
    return blocks;
}

function renderInline(nodes: Inline[], keyPrefix: string): ReactNode[] {
    return nodes.map((n, i) => {
        const key = `${keyPrefix}.${i}`;
        switch (n.type) {
            case 'text':
                return createElement(Fragment, { key }, n.text);
            case 'code':
                return createElement('code', { key }, n.text);
            case 'em':
                return createElement('em', { key }, ...renderInline(n.children, key));
            case 'strong':
                return createElement('strong', { key }, ...renderInline(n.children, key));
            case 'link':
                return createElement(
                    'a',
                    { key, href: n.href, target: '_blank', rel: 'noopener noreferrer nofollow' },
                    ...renderInline(n.children, key),
                );
        }
        return null;
    });
}

/// The heading offset that makes the text's highest heading an h`first` (so "## A" under an h3
/// becomes an h4, not an h5); 0 when the text has no heading.
export function headingOffsetFor(source: string, first: number): number {
    let min = 7;
    for (const b of parseMarkdown(source)) if (b.type === 'heading') min = Math.min(min, b.level);
    return min === 7 ? 0 : first - min;
}

/// React elements for markdown text. Headings are shifted by `headingOffset` (an explanation under
/// an h2 starts at h3) and capped at h6.
export function renderMarkdown(source: string, headingOffset = 2): ReactNode[] {
    return parseMarkdown(source).map((b, i) => {
        const key = `b${i}`;
        switch (b.type) {
            case 'heading': {
                const level = Math.min(6, b.level + headingOffset);
                return createElement(`h${level}`, { key }, ...renderInline(b.children, key));
            }
            case 'paragraph':
                return createElement('p', { key }, ...renderInline(b.children, key));
            case 'list':
                return createElement(
                    b.ordered ? 'ol' : 'ul',
                    b.ordered && b.start !== 1 ? { key, start: b.start } : { key },
                    ...b.items.map((item, j) => createElement('li', { key: `${key}.${j}` }, ...renderInline(item, `${key}.${j}`))),
                );
            case 'code':
                return createElement(
                    'pre',
                    { key, className: 'code-block' },
                    createElement('code', b.lang ? { 'data-lang': b.lang } : {}, b.text),
                );
        }
        return null;
    });
}
