// ESLint 9 flat config: the recommended JavaScript and TypeScript rules, and the rules of hooks.
// `npm run lint`; scripts/web.sh runs it before the unit tests.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
    globalIgnores(['dist/', 'test-results/', 'src/lib/api-schema.gen.ts']),
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        files: ['src/**/*.{ts,tsx}'],
        languageOptions: { globals: globals.browser },
        plugins: { 'react-hooks': reactHooks },
        rules: {
            'react-hooks/rules-of-hooks': 'error',
            // useAsync(fn, deps) is checked like useEffect: deps must name what fn reads.
            'react-hooks/exhaustive-deps': ['error', { additionalHooks: '^useAsync$' }],
        },
    },
    {
        files: ['*.{js,ts}', 'scripts/**/*.mjs', 'src/**/*.test.ts'],
        languageOptions: { globals: globals.node },
    },
    {
        // Browser tests: Node, and the functions they run in the page.
        files: ['e2e/**/*.mjs'],
        languageOptions: { globals: { ...globals.node, ...globals.browser } },
    },
]);
