/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves web/dist; /assets/ files get immutable caching (hashed names) and .gz siblings
// (written by scripts/gzip-dist.mjs after the build). In `npm run dev`, API calls go to a server
// named by OPTISCHEMA_URL (default http://127.0.0.1:8080).
const backend = process.env.OPTISCHEMA_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
    plugins: [react()],
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        target: 'es2020',
        sourcemap: false,
        chunkSizeWarningLimit: 300,
    },
    server: {
        proxy: {
            '/api/v1/stream': { target: backend.replace(/^http/, 'ws'), ws: true },
            '/api': backend,
            '/healthz': backend,
        },
    },
    test: {
        include: ['src/**/*.test.ts'],
        environment: 'node',
    },
});
