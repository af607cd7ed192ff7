/**
 * The lab's results files: DIR/results.json, results.md and results.csv, written by `cplay lab`
 * after every chapter, and `cplay lab --merge DIR,DIR,… --out DIR`, which joins finished tables
 * (two processes run side by side, a chapter re-run later) into one, in the journey's order,
 * with the orderings recomputed over the joined rows. Each name may be a directory holding
 * results.json or the file itself.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { UserError } from '../../src/engine/errors.ts';
import type { LabLength } from '../../src/engine/lab/chapters.ts';
import {
  orderingVerdicts,
  type ResultRow,
  resultsCsv,
  resultsMarkdown,
} from '../../src/engine/lab/results.ts';
import { mergeLabResults, parseLabResults } from '../../src/engine/lab/resultsFile.ts';

export async function writeResults(
  outDir: string,
  length: LabLength,
  overrides: readonly string[],
  rows: ResultRow[],
  setting: string,
): Promise<void> {
  const json = {
    version: 1,
    length,
    createdAt: new Date().toISOString(),
    overrides,
    rows,
    orderings: orderingVerdicts(rows),
  };
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(outDir, 'results.md'), resultsMarkdown(rows, { setting }));
  await writeFile(join(outDir, 'results.csv'), resultsCsv(rows));
}

async function resultsPath(name: string): Promise<string> {
  const p = resolve(name);
  let isDir: boolean;
  try {
    isDir = (await stat(p)).isDirectory();
  } catch {
    throw new UserError(`--merge: ${name} does not exist.`);
  }
  return isDir ? join(p, 'results.json') : p;
}

export async function mergeLab(list: string, outDir: string): Promise<number> {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw new UserError('--merge needs DIR,DIR,… (each holding results.json).');
  const files = [];
  for (const name of names) {
    const path = await resultsPath(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new UserError(
        `--merge: ${path} cannot be read (is ${name} a cplay lab --out folder?).`,
      );
    }
    const shown = relative(process.cwd(), path) || path;
    files.push({ path: shown, file: parseLabResults(text, shown) });
  }
  const merged = mergeLabResults(files);
  // Every override of every part is kept, so the joined table says what each part ran with.
  const overrides = [...new Set(files.flatMap((f) => f.file.overrides))];
  await mkdir(outDir, { recursive: true });
  await writeResults(
    outDir,
    merged.length,
    overrides,
    merged.rows,
    `${merged.length}, merged from ${merged.sources.join('; ')}`,
  );
  process.stderr.write(
    `cplay lab: ${merged.rows.length} chapters from ${files.length} tables in ${join(outDir, 'results.md')}\n`,
  );
  return 0;
}
