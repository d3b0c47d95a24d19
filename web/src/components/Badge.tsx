import type { ReactNode } from 'react';

/// A small status pill; `tone` is also a CSS class (pass, warn, fail, high, improved, ...).
export function Badge({ tone, children, label }: { tone?: string | null; children: ReactNode; label?: string }) {
    return (
        <span className={`badge ${tone ?? ''}`} aria-label={label}>
            {children}
        </span>
    );
}

const VERDICTS: Record<string, string> = {
    improved: 'Improved',
    no_change: 'No significant change',
    regression: 'Regression',
    rejected: 'Rejected',
};

export function verdictLabel(v: string | null | undefined): string {
    return (v && VERDICTS[v]) || 'Not validated';
}
