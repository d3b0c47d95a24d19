// Writes a gzip sibling (name.gz) of every compressible file in dist/, which `optischema serve`
// sends to clients that accept gzip. Prints nothing on success unless --report is given.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const compressible = /\.(js|mjs|css|html|svg|json|txt|map)$/;
const report = process.argv.includes('--report');

function* files(dir) {
    for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) yield* files(path);
        else yield path;
    }
}

let raw = 0;
let gz = 0;
const rows = [];
for (const path of files(dist)) {
    if (!compressible.test(path)) continue;
    const data = readFileSync(path);
    const zipped = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
    raw += data.length;
    gz += zipped.length;
    rows.push([relative(dist, path), data.length, zipped.length]);
    // Tiny files gain nothing; the server falls back to the plain file when no .gz exists.
    if (zipped.length < data.length) writeFileSync(`${path}.gz`, zipped);
}
if (report) {
    for (const [name, a, b] of rows.sort((x, y) => y[2] - x[2])) {
        console.log(`${name.padEnd(48)} ${String(a).padStart(9)} B  ${String(b).padStart(8)} B gz`);
    }
    console.log(`total ${(raw / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzipped`);
}
