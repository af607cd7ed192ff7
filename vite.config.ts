import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP) lets the WASM backend use threads (SharedArrayBuffer).
 * The CSP allows only what the app needs: itself, the Hugging Face Hub (models and data sets),
 * wasm compilation, blob workers (tfjs-wasm's pthreads) and inline styles (recharts).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co http://127.0.0.1:* http://localhost:*",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': CSP,
};

/**
 * tfjs-backend-wasm starts its pthreads by evaluating `factory.toString()` in a blob worker.
 * Its Emscripten factory reads `_scriptDir` from the enclosing closure, which the blob does not
 * have, and a minifier renames it ("e is not defined" in the threaded worker of a production
 * build). Declaring `_scriptDir` inside the factory makes the function self-contained, so the
 * threaded backend works minified. Tested by tests/e2e/foundation.e2e.ts on the built app.
 */
function selfContainedWasmFactory(): Plugin {
  const FACTORY_HEAD = 'function(WasmBackendModuleThreadedSimd) {';
  return {
    name: 'cplay:self-contained-wasm-factory',
    transform(code, id) {
      if (!id.includes('tfjs-backend-wasm-threaded-simd.js')) return null;
      const at = code.indexOf(FACTORY_HEAD);
      if (at < 0)
        throw new Error(
          `${id}: the Emscripten factory header was not found; check tfjs-backend-wasm's version.`,
        );
      const inject =
        "\n  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;";
      const end = at + FACTORY_HEAD.length;
      return { code: code.slice(0, end) + inject + code.slice(end), map: null };
    },
  };
}

export default defineConfig({
  plugins: [react()],
  base: './',
  worker: { format: 'es', plugins: () => [selfContainedWasmFactory()] },
  server: { headers, host: '127.0.0.1' },
  preview: { headers, host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4000 },
});
