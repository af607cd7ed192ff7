/**
 * Static checks of the UI sources: data-set text is only ever rendered as text, and the UI never
 * imports TF.js (it sends configs and receives numbers).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
    let engineModules = 0;
    for (const i of imports) {
      expect(i.from, i.path).not.toMatch(/tensorflow|\/tf\.ts$/);
      if (i.from.includes('/engine/') && !i.typeOnly) {
        // Value imports from the engine: modules that never reach TF.js, however deep.
        const file = resolve(REPO_ROOT, dirname(i.path), i.from);
        expect(tfPath(file), `${i.path} → ${i.from}`).toBeNull();
        engineModules++;
      }
    }
    expect(engineModules).toBeGreaterThan(0);
  });
});

/** The chain of value imports from `file` that reaches TF.js, or null when none does. */
function tfPath(file: string, seen = new Set<string>()): string[] | null {
  if (seen.has(file)) return null;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const deps = [
    ...text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
  ].filter((m) => !m[1]);
  for (const m of deps) {
    const from = m[2]!;
    if (/tensorflow/.test(from) || /\/tf\.ts$/.test(from)) return [file, from];
    if (!from.startsWith('.')) continue;
    const chain = tfPath(resolve(dirname(file), from), seen);
    if (chain) return [file, ...chain];
  }
  return null;
}
