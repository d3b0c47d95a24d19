// Writes src/lib/api-schema.gen.ts, the TypeScript types of docs/openapi.json, with openapi-typescript.
// With --check it regenerates into a temporary file instead and fails when the checked-in file differs.
//
//   npm run gen:types      regenerate src/lib/api-schema.gen.ts
//   npm run check:types    fail when it is stale
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const spec = new URL('../../docs/openapi.json', import.meta.url);
const target = fileURLToPath(new URL('../src/lib/api-schema.gen.ts', import.meta.url));
const check = process.argv.includes('--check');

const header = `// Generated from docs/openapi.json by openapi-typescript: do not edit. Regenerate with
// \`npm run gen:types\` (in web/); \`npm run check:types\` fails when this file is stale.
// src/lib/types.ts names the schemas the dashboard uses.

`;

// The document's defaults are those of request bodies (a field with a default may be left out), so
// they must not make a field required.
const ast = await openapiTS(spec, { defaultNonNullable: false });
const generated = header + astToString(ast);

if (!check) {
    writeFileSync(target, generated);
    process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'optischema-api-types-'));
try {
    const fresh = join(dir, 'api-schema.gen.ts');
    writeFileSync(fresh, generated);
    let current = '';
    try {
        current = readFileSync(target, 'utf8');
    } catch {
        // Missing: reported as stale below.
    }
    const regenerated = readFileSync(fresh, 'utf8');
    if (current !== regenerated) {
        const a = current.split('\n');
        const b = regenerated.split('\n');
        let line = 0;
        while (line < a.length && line < b.length && a[line] === b[line]) line++;
        console.error('web/src/lib/api-schema.gen.ts is stale: run npm run gen:types');
        console.error(`first difference at line ${line + 1}:`);
        console.error(`  checked in:  ${a[line] ?? '(end of file)'}`);
        console.error(`  regenerated: ${b[line] ?? '(end of file)'}`);
        process.exitCode = 1;
    }
} finally {
    rmSync(dir, { recursive: true, force: true });
}
