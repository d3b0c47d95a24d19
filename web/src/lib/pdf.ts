// A small PDF 1.4 writer for the report: text in three of the standard fonts (Helvetica,
// Helvetica-Bold, Courier; nothing embedded, so every reader has them), headings, wrapped paragraphs,
// preformatted code, tables with wrapped cells and their header repeated on each page, and page
// numbers. Pure: build() returns the file's bytes.

export type FontName = 'regular' | 'bold' | 'mono';

/// A4 in points, and the margins around the text.
export const PAGE = { width: 595.28, height: 841.89, margin: 50, footer: 24 } as const;

const FONT_RESOURCE: Record<FontName, string> = { regular: 'F1', bold: 'F2', mono: 'F3' };
const FONT_BASE: Record<FontName, string> = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' };

// Advance widths (1/1000 em) of the printable ASCII characters 32..126, from the fonts' AFM files.
// prettier-ignore
const HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
    556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
    556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, 334, 260, 334, 584,
];
// prettier-ignore
const HELVETICA_BOLD = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722,
    611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556,
    611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778,
    556, 556, 500, 389, 280, 389, 584,
];

// Unicode characters outside Latin-1 that WinAnsiEncoding has, with their codes.
const WIN_ANSI_EXTRA: Record<string, number> = {
    '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
    'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
    '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};
// Characters it lacks that have a plain spelling.
const SPELLED: Record<string, string> = { '→': '->', '←': '<-', '≥': '>=', '≤': '<=', '≠': '!=', '✓': 'ok', '✗': 'x' };

/// The text as WinAnsiEncoding characters (one char per byte, all < 256): tabs become spaces, other
/// control characters go, and what the encoding lacks is spelled out or becomes "?".
export function toWinAnsi(text: string): string {
    let out = '';
    for (const ch of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
        const code = ch.codePointAt(0) ?? 63;
        if (ch === '\n' || (code >= 32 && code < 127) || (code >= 0xa0 && code <= 0xff)) out += ch;
        else if (WIN_ANSI_EXTRA[ch] !== undefined) out += String.fromCharCode(WIN_ANSI_EXTRA[ch]);
        else if (SPELLED[ch] !== undefined) out += SPELLED[ch];
        else if (code >= 32) out += '?';
    }
    return out;
}

/// The width in points of WinAnsi text set in `font` at `size`.
export function textWidth(text: string, font: FontName, size: number): number {
    if (font === 'mono') return text.length * 0.6 * size;
    const table = font === 'bold' ? HELVETICA_BOLD : HELVETICA;
    let units = 0;
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        units += (code >= 32 && code <= 126 ? table[code - 32] : undefined) ?? 600; // beyond ASCII: a wide guess
    }
    return (units * size) / 1000;
}

/// WinAnsi text broken into lines no wider than `maxWidth`: at spaces where possible, inside a word
/// when the word alone is wider; explicit line breaks are kept.
export function wrapText(text: string, font: FontName, size: number, maxWidth: number): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
        let line = '';
        for (let word of paragraph.split(' ')) {
            const candidate = line === '' ? word : `${line} ${word}`;
            if (textWidth(candidate, font, size) <= maxWidth) {
                line = candidate;
                continue;
            }
            if (line !== '') lines.push(line);
            line = '';
            // A word wider than the line is cut into pieces that fit.
            while (textWidth(word, font, size) > maxWidth) {
                let cut = 1;
                while (cut < word.length && textWidth(word.slice(0, cut + 1), font, size) <= maxWidth) cut++;
                lines.push(word.slice(0, cut));
                word = word.slice(cut);
            }
            line = word;
        }
        lines.push(line);
    }
    return lines;
}

/// A PDF literal string of WinAnsi text: backslash and parentheses escaped, bytes above 126 as octal.
export function pdfString(text: string): string {
    let out = '(';
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        const code = text.charCodeAt(i);
        if (ch === '\\' || ch === '(' || ch === ')') out += `\\${ch}`;
        else if (code > 126 || code < 32) out += `\\${code.toString(8).padStart(3, '0')}`;
        else out += ch;
    }
    return `${out})`;
}

export interface TableColumn {
    header: string;
    /// Share of the table's width, relative to the other columns'.
    weight: number;
    align?: 'left' | 'right';
    mono?: boolean;
}

export interface PdfOptions {
    title: string;
    /// Shown at the bottom of every page with the page number.
    footer?: string;
    /// For the document's metadata; defaults to now.
    createdAt?: Date;
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

export class PdfBuilder {
    private readonly pages: string[][] = [];
    private y = 0;
    private readonly options: PdfOptions;

    constructor(options: PdfOptions) {
        this.options = options;
        this.newPage();
    }

    get pageCount(): number {
        return this.pages.length;
    }

    private get contentWidth(): number {
        return PAGE.width - 2 * PAGE.margin;
    }

    /// The operations of the page being written.
    private get current(): string[] {
        return this.pages[this.pages.length - 1]!;
    }

    private get bottom(): number {
        return PAGE.margin + PAGE.footer;
    }

    private newPage(): void {
        this.pages.push([]);
        this.y = PAGE.height - PAGE.margin;
    }

    /// Starts a new page unless `height` points still fit on this one.
    private ensure(height: number): void {
        if (this.y - height < this.bottom && this.y < PAGE.height - PAGE.margin) this.newPage();
    }

    private text(x: number, baseline: number, line: string, font: FontName, size: number, gray = 0): void {
        const color = gray > 0 ? `${fmt(gray)} g ` : '';
        this.current.push(
            `BT ${color}/${FONT_RESOURCE[font]} ${fmt(size)} Tf ${fmt(x)} ${fmt(baseline)} Td ${pdfString(line)} Tj ET`,
        );
    }

    private rule(y: number, gray = 0.75, width = 0.5): void {
        const x2 = PAGE.margin + this.contentWidth;
        this.current.push(
            `q ${fmt(gray)} G ${fmt(width)} w ${fmt(PAGE.margin)} ${fmt(y)} m ${fmt(x2)} ${fmt(y)} l S Q`,
        );
    }

    /// Lines of text, each starting a new page when the page is full.
    private lines(lines: string[], font: FontName, size: number, indent = 0, gray = 0): void {
        const leading = size * 1.35;
        for (const line of lines) {
            this.ensure(leading);
            this.y -= leading;
            this.text(PAGE.margin + indent, this.y + size * 0.3, line, font, size, gray);
        }
    }

    heading(text: string, level: 1 | 2 | 3): this {
        const size = level === 1 ? 18 : level === 2 ? 14 : 11;
        const lines = wrapText(toWinAnsi(text), 'bold', size, this.contentWidth);
        // Keep a heading with at least a few lines of what follows it.
        this.ensure(size * 1.35 * lines.length + size + 40);
        this.y -= level === 1 ? 0 : size * 0.8;
        this.lines(lines, 'bold', size);
        if (level <= 2) this.rule(this.y - 3, level === 1 ? 0.3 : 0.8);
        this.y -= 6;
        return this;
    }

    /// `keepWithNext`: points of what follows that must fit on the same page (a title and its text).
    paragraph(
        text: string,
        options: { font?: FontName; size?: number; gray?: number; indent?: number; keepWithNext?: number } = {},
    ): this {
        const font = options.font ?? 'regular';
        const size = options.size ?? 10;
        const indent = options.indent ?? 0;
        const lines = wrapText(toWinAnsi(text), font, size, this.contentWidth - indent);
        if (options.keepWithNext) this.ensure(lines.length * size * 1.35 + options.keepWithNext);
        this.lines(lines, font, size, indent, options.gray);
        this.y -= size * 0.5;
        return this;
    }

    /// Preformatted text (SQL) in Courier, wrapped at the margin.
    code(text: string, indent = 12): this {
        return this.paragraph(text, { font: 'mono', size: 8, indent });
    }

    /// Numbered or bulleted items, each wrapped under its own marker.
    list(items: string[], numbered = false): this {
        items.forEach((item, i) => {
            const marker = numbered ? `${i + 1}.` : '\u2022';
            const size = 10;
            const lines = wrapText(toWinAnsi(item), 'regular', size, this.contentWidth - 16);
            this.ensure(size * 1.35);
            this.text(PAGE.margin, this.y - size * 1.35 + size * 0.3, toWinAnsi(marker), 'regular', size);
            this.lines(lines, 'regular', size, 16);
            this.y -= 2;
        });
        this.y -= 4;
        return this;
    }

    /// A table whose cells wrap within their column; its header row is repeated on every page it spans.
    table(columns: TableColumn[], rows: string[][]): this {
        const size = 8;
        const leading = size * 1.3;
        const pad = 3;
        const total = columns.reduce((sum, c) => sum + c.weight, 0);
        const widths = columns.map((c) => (c.weight / total) * this.contentWidth);
        const maxLines = Math.floor((PAGE.height - 2 * PAGE.margin - PAGE.footer - 60) / leading);
        const layout = (cells: string[], header: boolean) =>
            columns.map((column, i) => {
                const font: FontName = header ? 'bold' : column.mono ? 'mono' : 'regular';
                const wrapped = wrapText(toWinAnsi(cells[i] ?? ''), font, size, widths[i]! - 2 * pad);
                return { font, lines: wrapped.length > maxLines ? [...wrapped.slice(0, maxLines - 1), '...'] : wrapped };
            });
        const draw = (cells: ReturnType<typeof layout>) => {
            const height = Math.max(...cells.map((c) => c.lines.length)) * leading + 2 * pad;
            let x = PAGE.margin;
            cells.forEach((cell, i) => {
                const width = widths[i]!;
                cell.lines.forEach((line, n) => {
                    const baseline = this.y - pad - (n + 1) * leading + size * 0.3;
                    const lx =
                        columns[i]?.align === 'right' ? x + width - pad - textWidth(line, cell.font, size) : x + pad;
                    this.text(lx, baseline, line, cell.font, size);
                });
                x += width;
            });
            this.y -= height;
            this.rule(this.y);
        };
        const header = layout(
            columns.map((c) => c.header),
            true,
        );
        const headerHeight = Math.max(...header.map((c) => c.lines.length)) * leading + 2 * pad;
        this.ensure(headerHeight + leading + 2 * pad);
        draw(header);
        for (const row of rows) {
            const cells = layout(row, false);
            const height = Math.max(...cells.map((c) => c.lines.length)) * leading + 2 * pad;
            if (this.y - height < this.bottom) {
                this.newPage();
                draw(header);
            }
            draw(cells);
        }
        this.y -= 10;
        return this;
    }

    /// The finished file.
    build(): Uint8Array<ArrayBuffer> {
        const count = this.pages.length;
        const objects: string[] = [];
        const fontIds: Record<FontName, number> = { regular: 3, bold: 4, mono: 5 };
        const infoId = 6;
        const firstPageId = 7;
        const pageIds = this.pages.map((_, i) => firstPageId + 2 * i);
        objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
        objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${count} >>`;
        for (const font of Object.keys(fontIds) as FontName[]) {
            objects[fontIds[font]] =
                `<< /Type /Font /Subtype /Type1 /BaseFont /${FONT_BASE[font]} /Encoding /WinAnsiEncoding >>`;
        }
        const created = this.options.createdAt ?? new Date();
        const stamp = created.toISOString().replace(/[-:T]/g, '').slice(0, 14);
        objects[infoId] =
            `<< /Title ${pdfString(toWinAnsi(this.options.title))} /Producer (OptiSchema) /CreationDate (D:${stamp}Z) >>`;
        const resources = `<< /Font << ${(Object.keys(fontIds) as FontName[])
            .map((f) => `/${FONT_RESOURCE[f]} ${fontIds[f]} 0 R`)
            .join(' ')} >> >>`;
        this.pages.forEach((ops, i) => {
            const footer = `${this.options.footer ? `${this.options.footer} · ` : ''}Page ${i + 1} of ${count}`;
            const footerText = toWinAnsi(footer);
            const fx = PAGE.width - PAGE.margin - textWidth(footerText, 'regular', 8);
            const content = [
                ...ops,
                `BT 0.45 g /F1 8 Tf ${fmt(fx)} ${fmt(PAGE.margin - 10)} Td ${pdfString(footerText)} Tj ET`,
            ].join('\n');
            const pageId = firstPageId + 2 * i;
            objects[pageId] =
                `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${fmt(PAGE.width)} ${fmt(PAGE.height)}] ` +
                `/Resources ${resources} /Contents ${pageId + 1} 0 R >>`;
            objects[pageId + 1] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
        });

        let file = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
        const offsets: number[] = [];
        for (let id = 1; id < objects.length; id++) {
            offsets[id] = file.length;
            file += `${id} 0 obj\n${objects[id]}\nendobj\n`;
        }
        const xref = file.length;
        file += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
        for (let id = 1; id < objects.length; id++) file += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
        file += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoId} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
        const bytes = new Uint8Array(file.length);
        for (let i = 0; i < file.length; i++) bytes[i] = file.charCodeAt(i);
        return bytes;
    }
}
