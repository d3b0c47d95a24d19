import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGE, PdfBuilder, pdfString, textWidth, toWinAnsi, wrapText } from './pdf';

const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');

/// Checks the file's structure as a reader walks it: startxref points at the xref table, every xref
/// entry at its "N 0 obj", every stream's /Length is its length. Returns the objects by number.
function parsePdf(bytes: Uint8Array): Map<number, string> {
    const file = latin1(bytes);
    expect(file.startsWith('%PDF-1.4\n')).toBe(true);
    expect(file.endsWith('%%EOF\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(file)?.[1]);
    expect(file.slice(startxref, startxref + 5)).toBe('xref\n');
    const head = /^xref\n0 (\d+)\n/.exec(file.slice(startxref));
    const size = Number(head?.[1]);
    const objects = new Map<number, string>();
    for (let id = 1; id < size; id++) {
        const entry = file.slice(startxref + head![0].length + 20 * id, startxref + head![0].length + 20 * (id + 1));
        expect(entry).toMatch(/^\d{10} 00000 n \n$/);
        const offset = Number(entry.slice(0, 10));
        expect(file.slice(offset).startsWith(`${id} 0 obj\n`)).toBe(true);
        const end = file.indexOf('\nendobj\n', offset);
        const body = file.slice(offset + `${id} 0 obj\n`.length, end);
        const stream = /^<< \/Length (\d+) >>\nstream\n([\s\S]*)\nendstream$/.exec(body);
        if (stream) expect(stream[2]!.length).toBe(Number(stream[1]));
        objects.set(id, body);
    }
    expect(file).toContain(`trailer\n<< /Size ${size} /Root 1 0 R`);
    return objects;
}

function pdftotext(bytes: Uint8Array): string {
    const dir = mkdtempSync(join(tmpdir(), 'optischema-pdf-'));
    try {
        writeFileSync(join(dir, 'r.pdf'), bytes);
        return execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

const hasPdftotext = (() => {
    try {
        execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
})();

describe('text', () => {
    it('encodes as WinAnsi: Latin-1 kept, typographic marks mapped, arrows spelled, the rest "?"', () => {
        expect(toWinAnsi('café · 5 × 3')).toBe('café · 5 × 3');
        expect(toWinAnsi('a — b … “q”').split('').map((c) => c.charCodeAt(0))).toContain(0x97);
        expect(toWinAnsi('x → y ≥ 2')).toBe('x -> y >= 2');
        expect(toWinAnsi('表\tz\r\nw\u0007')).toBe('?    z\nw');
    });
    it('escapes PDF string delimiters and writes high bytes in octal', () => {
        expect(pdfString('f(x) \\ y')).toBe('(f\\(x\\) \\\\ y)');
        expect(pdfString(toWinAnsi('é—'))).toBe('(\\351\\227)');
    });
    it('measures with the fonts’ metrics', () => {
        expect(textWidth('W', 'regular', 10)).toBeCloseTo(9.44);
        expect(textWidth('i', 'regular', 10)).toBeCloseTo(2.22);
        expect(textWidth('b', 'bold', 10)).toBeGreaterThan(textWidth('b', 'regular', 10));
        expect(textWidth('abc', 'mono', 10)).toBeCloseTo(18);
    });
    it('wraps at spaces within the width, cuts words wider than a line, keeps line breaks', () => {
        const text = 'SELECT o.id, o.total FROM orders o WHERE o.customer_id = $1 ORDER BY o.created_at DESC LIMIT 20';
        const lines = wrapText(text, 'regular', 10, 120);
        expect(lines.length).toBeGreaterThan(3);
        for (const line of lines) expect(textWidth(line, 'regular', 10)).toBeLessThanOrEqual(120);
        expect(lines.join(' ')).toBe(text);
        const long = wrapText('x'.repeat(100), 'mono', 10, 60);
        expect(long).toEqual(Array(10).fill('x'.repeat(10)));
        expect(wrapText('a\nb', 'regular', 10, 100)).toEqual(['a', 'b']);
    });
});

describe('PdfBuilder', () => {
    const created = new Date('2026-11-28T10:00:00Z');

    it('writes a file whose cross-reference table and stream lengths are right', () => {
        const pdf = new PdfBuilder({ title: 'Report (test)', createdAt: created });
        pdf.heading('What is slow', 1).paragraph('Some text with (parentheses) and a backslash \\.').code('CREATE INDEX CONCURRENTLY a ON t (x);');
        const objects = parsePdf(pdf.build());
        expect(objects.get(1)).toBe('<< /Type /Catalog /Pages 2 0 R >>');
        expect(objects.get(2)).toContain('/Count 1');
        expect(objects.get(6)).toContain('/Title (Report \\(test\\))');
        expect(objects.get(6)).toContain('/CreationDate (D:20261128100000Z)');
        expect(objects.get(8)).toContain('(Some text with \\(parentheses\\) and a backslash \\\\.) Tj');
    });

    it('starts new pages as text fills them, numbers every page, and repeats a table’s header', () => {
        const pdf = new PdfBuilder({ title: 't', footer: 'OptiSchema report: shop', createdAt: created });
        const rows = Array.from({ length: 150 }, (_, i) => [`SELECT * FROM t${i} WHERE id = $1`, `${i} ms`]);
        pdf.table(
            [
                { header: 'Statement', weight: 4, mono: true },
                { header: 'Total', weight: 1, align: 'right' },
            ],
            rows,
        );
        expect(pdf.pageCount).toBeGreaterThan(1);
        const objects = parsePdf(pdf.build());
        expect(objects.get(2)).toContain(`/Count ${pdf.pageCount}`);
        for (let page = 0; page < pdf.pageCount; page++) {
            const content = objects.get(8 + 2 * page)!;
            expect(content).toContain(`(OptiSchema report: shop \\267 Page ${page + 1} of ${pdf.pageCount}) Tj`);
            expect(content).toContain('/F2 8 Tf'); // the bold header row
            expect(content).toContain('(Statement) Tj');
            // Nothing is drawn below the footer line or above the top margin.
            for (const m of content.matchAll(/ Tf ([\d.]+) ([\d.]+) Td/g)) {
                const y = Number(m[2]);
                expect(y).toBeLessThanOrEqual(PAGE.height - PAGE.margin);
                expect(y).toBeGreaterThanOrEqual(PAGE.margin - 10);
            }
        }
        expect(latin1(pdf.build())).toContain('(SELECT * FROM t149 WHERE id = $1) Tj');
    });

    it.skipIf(!hasPdftotext)('is read back by poppler with its text in order', () => {
        const pdf = new PdfBuilder({ title: 'Report', footer: 'OptiSchema report: shop', createdAt: created });
        pdf.heading('OptiSchema report: shop', 1);
        pdf.heading('What is slow', 2);
        pdf.table(
            [
                { header: 'Statement', weight: 4, mono: true },
                { header: 'Calls', weight: 1, align: 'right' },
            ],
            [['SELECT * FROM orders WHERE customer_id = $1', '1,234']],
        );
        pdf.heading('What to do', 2).list(['Create the index — 3,962× faster'], true).code('CREATE INDEX CONCURRENTLY ON orders (customer_id);');
        const text = pdftotext(pdf.build());
        const order = ['OptiSchema report: shop', 'What is slow', 'SELECT * FROM orders WHERE customer_id = $1', '1,234', 'What to do', 'Create the index — 3,962× faster', 'CREATE INDEX CONCURRENTLY', 'Page 1 of 1'];
        let at = 0;
        for (const piece of order) {
            const found = text.indexOf(piece, at);
            expect(found, `"${piece}" after position ${at} in:\n${text}`).toBeGreaterThanOrEqual(0);
            at = found + piece.length;
        }
    });
});
