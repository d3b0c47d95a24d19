import { useMemo } from 'react';
import { renderMarkdown } from '../lib/markdown';

/// LLM text rendered safely (see lib/markdown): React elements only, no HTML injection.
export function Markdown({ text, headingOffset = 2 }: { text: string; headingOffset?: number }) {
    const nodes = useMemo(() => renderMarkdown(text ?? '', headingOffset), [text, headingOffset]);
    return <div className="markdown">{nodes}</div>;
}
