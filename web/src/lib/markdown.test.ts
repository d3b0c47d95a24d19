import { renderToStaticMarkup } from 'react-dom/server';
import { createElement, Fragment } from 'react';
import { describe, expect, it } from 'vitest';
import { headingOffsetFor, parseInline, parseMarkdown, renderMarkdown, safeHref } from './markdown';

const html = (md: string, offset = 0) => renderToStaticMarkup(createElement(Fragment, null, ...renderMarkdown(md, offset)));

describe('parseMarkdown', () => {
    it('reads headings, paragraphs, lists and fenced code', () => {
        const blocks = parseMarkdown('# Why\nThe scan reads\nevery row.\n\n- one\n- two\n\n1. first\n2. second\n\n```sql\nSELECT 1;\n```');
        expect(blocks.map((b) => b.type)).toEqual(['heading', 'paragraph', 'list', 'list', 'code']);
        expect(blocks[1]).toEqual({ type: 'paragraph', children: [{ type: 'text', text: 'The scan reads every row.' }] });
        expect(blocks[4]).toEqual({ type: 'code', lang: 'sql', text: 'SELECT 1;' });
    });
    it('keeps an unterminated fence to the end', () => {
        expect(parseMarkdown('```\nSELECT 1;')).toEqual([{ type: 'code', lang: '', text: 'SELECT 1;' }]);
    });
    it('joins indented continuation lines into the list item', () => {
        const [list] = parseMarkdown('- create the index\n  concurrently\n- analyze');
        expect(list).toMatchObject({ type: 'list', items: [[{ text: 'create the index concurrently' }], [{ text: 'analyze' }]] });
    });
});

describe('parseInline', () => {
    it('reads code, strong, emphasis and links', () => {
        expect(parseInline('use `CREATE INDEX` **now**, *really*')).toEqual([
            { type: 'text', text: 'use ' },
            { type: 'code', text: 'CREATE INDEX' },
            { type: 'text', text: ' ' },
            { type: 'strong', children: [{ type: 'text', text: 'now' }] },
            { type: 'text', text: ', ' },
            { type: 'em', children: [{ type: 'text', text: 'really' }] },
        ]);
    });
    it('leaves snake_case, lone stars and SELECT * alone', () => {
        expect(parseInline('pg_stat_statements and SELECT * FROM t')).toEqual([
            { type: 'text', text: 'pg_stat_statements and SELECT * FROM t' },
        ]);
        expect(parseInline('2 * 3 * 4')).toEqual([{ type: 'text', text: '2 * 3 * 4' }]);
    });
    it('keeps markup inside code spans literal', () => {
        expect(parseInline('`a*b*c`')).toEqual([{ type: 'code', text: 'a*b*c' }]);
    });
});

describe('safeHref', () => {
    it('allows only absolute http(s) and mailto targets', () => {
        expect(safeHref('https://www.postgresql.org/docs/')).toBe('https://www.postgresql.org/docs/');
        expect(safeHref('mailto:dba@example.com')).toBe('mailto:dba@example.com');
        expect(safeHref('javascript:alert(1)')).toBeNull();
        expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull();
        expect(safeHref('data:text/html,<b>x</b>')).toBeNull();
        expect(safeHref('//evil.example')).toBeNull();
        expect(safeHref('/relative')).toBeNull();
    });
});

describe('renderMarkdown', () => {
    it('renders React elements, escaping any HTML in the text', () => {
        const out = html('## Fix\n<script>alert(1)</script> and <img src=x onerror=alert(1)>');
        expect(out).toBe('<h2>Fix</h2><p>&lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;</p>');
    });
    it('drops unsafe links but keeps their text', () => {
        expect(html('[click](javascript:alert(1)) [docs](https://example.com/a)')).toBe(
            '<p>click <a href="https://example.com/a" target="_blank" rel="noopener noreferrer nofollow">docs</a></p>',
        );
    });
    it('shifts headings below the page heading and caps at h6', () => {
        expect(html('# A\n###### B', 2)).toBe('<h3>A</h3><h6>B</h6>');
    });
    it('starts a text\'s headings at a given level', () => {
        expect(headingOffsetFor('## Where\n### Why', 4)).toBe(2);
        expect(html('## Where\n### Why', headingOffsetFor('## Where\n### Why', 4))).toBe('<h4>Where</h4><h5>Why</h5>');
        expect(headingOffsetFor('no headings', 4)).toBe(0);
    });
    it('renders lists with their start number and code blocks', () => {
        expect(html('3. c\n4. d\n\n```sql\nSELECT 1 < 2;\n```')).toBe(
            '<ol start="3"><li>c</li><li>d</li></ol><pre class="code-block"><code data-lang="sql">SELECT 1 &lt; 2;</code></pre>',
        );
    });
    it('shows no raw markdown markers for the supported syntax', () => {
        const out = html('# Title\n**bold** and *em* and `code`\n- item');
        expect(out).not.toMatch(/\*\*|`|^#|\n- /);
        expect(html('')).toBe('');
    });
});
