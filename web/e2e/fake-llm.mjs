// A local stand-in for an AI provider in the browser tests: speaks the OpenAI chat-completions
// protocol (POST /v1/chat/completions) on 127.0.0.1, answers every request with the JSON object the
// explain prompt asks for (src/llm/prompt.cpp), and counts the requests it got.

import { createServer } from 'node:http';

export const FAKE_MODEL = 'fake-gpt-e2e';

/// The answer's content: markdown with a heading, a list and bold text; the normalized query of the
/// prompt (when found) offered back as a rewrite, and one index idea.
export function fakeAnswer(prompt) {
    const query = /## Normalized query\n([\s\S]*?)\n(?:## |$)/.exec(prompt ?? '')?.[1]?.trim();
    return {
        explanation: [
            '## Where the time goes',
            '',
            'The plan spends **most of its time** in one scan:',
            '',
            '- the scan reads every row of the table',
            '- the filter then throws *most* of them away',
            '',
            'An index on the filtered column lets PostgreSQL read only the matching rows.',
        ].join('\n'),
        rewrites: [{ sql: query || 'SELECT 1', rationale: 'The same query written out in full, so the planner sees the same shape.' }],
        index_ideas: [{ ddl: 'CREATE INDEX CONCURRENTLY ON public.orders (customer_id)', rationale: 'Serves the filter on customer_id.' }],
        risks: ['A new index adds work to every INSERT and UPDATE of the table.'],
    };
}

/// Starts the fake provider on an ephemeral port. `url` is the base URL to configure (with /v1).
export function startFakeLlm() {
    const requests = [];
    const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
            requests.push({ method: req.method, path: req.url, authorization: req.headers.authorization ?? null, body });
            if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
                res.writeHead(404, { 'Content-Type': 'application/json' });
                res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
                return;
            }
            let parsed = {};
            try {
                parsed = JSON.parse(body);
            } catch {
                // An unreadable request still gets an answer; the test looks at the counts.
            }
            const messages = Array.isArray(parsed.messages) ? parsed.messages : [];
            const prompt = messages.filter((m) => m?.role === 'user').map((m) => String(m.content ?? '')).join('\n');
            const content = JSON.stringify(fakeAnswer(prompt));
            res.writeHead(200, { 'Content-Type': 'application/json' });
            res.end(
                JSON.stringify({
                    id: `chatcmpl-e2e-${requests.length}`,
                    object: 'chat.completion',
                    created: Math.floor(Date.now() / 1000),
                    model: FAKE_MODEL,
                    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
                    usage: { prompt_tokens: 1200 + prompt.length % 100, completion_tokens: 180, total_tokens: 1380 + prompt.length % 100 },
                }),
            );
        });
    });
    return new Promise((resolve) => {
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            resolve({
                url: `http://127.0.0.1:${port}/v1`,
                requests,
                /// Requests for completions (what a cached answer must not add to).
                completions: () => requests.filter((r) => r.path === '/v1/chat/completions').length,
                close: () =>
                    new Promise((done) => {
                        server.closeAllConnections?.();
                        server.close(() => done());
                    }),
            });
        });
    });
}
