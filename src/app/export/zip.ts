/** A model folder (path → bytes) as one .zip, files at the root, as Python expects to unpack it. */
import { zipSync } from 'fflate';

export function zipFolder(files: Record<string, Uint8Array>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, bytes] of Object.entries(files)) {
    const clean = path.replace(/\\/g, '/').replace(/^\/+/, '');
    if (!clean || clean.split('/').includes('..')) continue;
    entries[clean] = bytes;
  }
  // Weights barely compress; store them (level 0) and deflate the small text files.
  return zipSync(
    Object.fromEntries(
      Object.entries(entries).map(([p, b]) => [
        p,
        [b, { level: p.endsWith('.safetensors') ? 0 : 6 }],
      ]),
    ),
  );
}
