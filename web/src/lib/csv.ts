// CSV (RFC 4180) for any table of the dashboard, and JSON export helpers. Pure except downloadText.

import type { ColumnDef } from './table';

/// One CSV field: quoted when it holds a comma, quote, CR or LF (quotes doubled). Text that a
/// spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, except
/// plain numbers such as -3.5.
export function csvField(value: unknown): string {
    let s: string;
    if (value === null || value === undefined) s = '';
    else if (typeof value === 'number') s = Number.isFinite(value) ? String(value) : '';
    else if (typeof value === 'boolean') s = value ? 'true' : 'false';
    else if (value instanceof Date) s = Number.isFinite(value.getTime()) ? value.toISOString() : '';
    else if (typeof value === 'object') s = JSON.stringify(value);
    else s = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) {
        s = `'${s}`;
    }
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/// A CSV document: a header line then one line per row, CRLF-separated, ending with CRLF.
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
    const lines = [header.map(csvField).join(',')];
    for (const r of rows) lines.push(r.map(csvField).join(','));
    return `${lines.join('\r\n')}\r\n`;
}

/// The CSV of a table from its column definitions (raw values, not the formatted text).
export function tableToCsv<T>(columns: readonly ColumnDef<T>[], rows: readonly T[]): string {
    return toCsv(
        columns.map((c) => c.header),
        rows.map((r) => columns.map((c) => (c.csv ? c.csv(r) : c.value(r)))),
    );
}

/// Parses CSV produced by toCsv (or any RFC 4180 text) back into rows; used by tests and imports.
export function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"') {
                if (text[i + 1] === '"') {
                    field += '"';
                    i++;
                } else quoted = false;
            } else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
            row.push(field);
            field = '';
        } else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n') i++;
            row.push(field);
            rows.push(row);
            row = [];
            field = '';
        } else field += c;
    }
    if (field !== '' || row.length) {
        row.push(field);
        rows.push(row);
    }
    return rows;
}

/// A file name safe on every OS: "optischema-statements-2026-11-28T01-02.csv".
export function exportFileName(what: string, ext: string, now: Date = new Date()): string {
    const stamp = now.toISOString().slice(0, 16).replace(/:/g, '-');
    const safe = what.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'export';
    return `optischema-${safe}-${stamp}.${ext}`;
}

/// Saves text or bytes as a file through a temporary object URL (browser only).
export function downloadText(content: string | Uint8Array<ArrayBuffer>, fileName: string, mime: string): void {
    const blob = new Blob([content], { type: mime });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}
