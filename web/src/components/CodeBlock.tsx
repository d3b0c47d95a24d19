import { CopyButton } from './CopyButton';

/// SQL or a config line with a label and a copy button.
export function CodeBlock({ code, label, copyWhat }: { code: string | null | undefined; label?: string; copyWhat?: string }) {
    const text = typeof code === 'string' ? code : '';
    if (!text) return null;
    return (
        <div className="code">
            <div className="code-head">
                <span>{label ?? ''}</span>
                <CopyButton text={text} what={copyWhat ?? label ?? 'code'} />
            </div>
            <pre>
                <code>{text}</code>
            </pre>
        </div>
    );
}
