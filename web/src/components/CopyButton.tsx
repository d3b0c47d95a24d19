import { useEffect, useState } from 'react';

async function copy(text: string): Promise<boolean> {
    try {
        if (navigator.clipboard && window.isSecureContext) {
            await navigator.clipboard.writeText(text);
            return true;
        }
    } catch {
        // Fall back to a selection copy below.
    }
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
        ok = document.execCommand('copy');
    } catch {
        ok = false;
    }
    ta.remove();
    return ok;
}

/// Copies text to the clipboard and says so (politely, for screen readers too).
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
    const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
    useEffect(() => {
        if (state === 'idle') return;
        const id = setTimeout(() => setState('idle'), 2000);
        return () => clearTimeout(id);
    }, [state]);
    return (
        <button
            type="button"
            className="small"
            onClick={() => void copy(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
            aria-label={what ? `${label} ${what}` : label}
            disabled={!text}
        >
            <span aria-live="polite">{state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Copy failed' : label}</span>
        </button>
    );
}
