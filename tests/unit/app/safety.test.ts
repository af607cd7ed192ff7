/**
 * Static checks of the UI sources: data-set text is only ever rendered as text, and the UI never
 * imports TF.js (it sends configs and receives numbers).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths.ts';

const APP = join(REPO_ROOT, 'src/app');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('UI sources', () => {
  const sources = files(APP).map((p) => ({
    path: relative(REPO_ROOT, p),
    text: readFileSync(p, 'utf8'),
  }));

  it('never set HTML from strings', () => {
    for (const s of sources) {
      expect(s.text, s.path).not.toMatch(
        /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML|insertAdjacentHTML/,
      );
    }
  });

  it('never import TF.js or the engine modules that do', () => {
    const imports = sources.flatMap((s) =>
      [...s.text.matchAll(/^import\s+(type\s+)?[^'"]*['"]([^'"]+)['"]/gm)].map((m) => ({
        path: s.path,
        typeOnly: Boolean(m[1]),
        from: m[2]!,
      })),
    );
    for (const i of imports) {
      expect(i.from, i.path).not.toMatch(/tensorflow|\/tf\.ts$/);
      if (i.from.includes('/engine/') && !i.typeOnly) {
        // Value imports from the engine: pure modules only.
        expect(i.from, i.path).toMatch(
          /engine\/(config\/(schema|validate|presets)|data\/catalogue)\.ts$/,
        );
      }
    }
  });
});
