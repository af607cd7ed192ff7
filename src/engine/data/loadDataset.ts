/**
 * `loadDataset`: a config's data source (see source.ts for the grammar) to a `Dataset`.
 * Runs in the worker; everything host-specific (network, cache, files, progress) comes in `io`.
 */
import { loadAsset } from '../assets.ts';
import { UserError } from '../errors.ts';
import { BUILTIN_SETS, builtinSet } from './builtinSets.ts';
import { CATALOGUE, type CatalogueEntry, catalogueByHub, catalogueEntry } from './catalogue.ts';
import { cachedDownload, loadHubDataset } from './hub.ts';
import { parseFile } from './parseFile.ts';
import { chooseSplit, parseSource } from './source.ts';
import {
  DATA_KINDS,
  type DataIO,
  type Dataset,
  type LoadSpec,
  type ParseOptions,
} from './types.ts';

// The built-in sets live in a module of their own so the page can list them without loading the
// readers; they stay part of this module's contract.
export { BUILTIN_SETS, type BuiltinSet, builtinSet, builtinSetLabel } from './builtinSets.ts';

function withEntry(spec: LoadSpec, entry: CatalogueEntry): ParseOptions {
  return {
    scoreRange: spec.scoreRange ?? entry.scoreRange,
    labelNames: spec.labelNames ?? entry.labelNames,
    dedup: spec.dedup,
  };
}

export async function loadDataset(spec: LoadSpec, io: DataIO = {}): Promise<Dataset> {
  if (!DATA_KINDS.includes(spec.kind)) {
    throw new UserError(`The data kind "${spec.kind}" is not one of ${DATA_KINDS.join(', ')}.`);
  }
  const src = parseSource(spec.source);
  const base = { columns: spec.columns, limit: spec.limit };
  const opts: ParseOptions = {
    scoreRange: spec.scoreRange,
    labelNames: spec.labelNames,
    dedup: spec.dedup,
    onProgress: io.onProgress,
  };

  switch (src.type) {
    case 'builtin': {
      const set = builtinSet(`builtin:${src.name}`);
      if (!set) {
        throw new UserError(
          `There is no built-in data set "${src.name}"; the built-in sets are ${Object.keys(
            BUILTIN_SETS,
          )
            .map((k) => `builtin:${k}`)
            .join(', ')}.`,
        );
      }
      const text = await loadAsset(set.asset);
      const bytes = new TextEncoder().encode(text);
      const scoreRange = spec.scoreRange ?? set.scoreRange;
      const ds = await parseFile(set.asset, bytes, spec.kind, spec.columns, spec.limit, {
        ...opts,
        ...(scoreRange ? { scoreRange } : {}),
      });
      return { ...ds, name: spec.source };
    }
    case 'catalogue': {
      const entry = catalogueEntry(src.id);
      if (!entry) {
        throw new UserError(
          `The catalogue has no set "${src.id}"; it has ${CATALOGUE.map((e) => e.id).join(', ')}.`,
        );
      }
      if (entry.kind !== spec.kind) {
        throw new UserError(
          `The catalogue set "${entry.id}" is "${entry.kind}" data, not "${spec.kind}".`,
        );
      }
      const split = chooseSplit(spec.source, src.split, spec.split) ?? entry.hub.split;
      return loadHubDataset({ id: entry.hub.id, config: entry.hub.config, split }, spec.kind, io, {
        ...withEntry(spec, entry),
        columns: { ...entry.columns, ...spec.columns },
        limit: spec.limit,
        name: `${spec.source.split('@')[0]}@${split}`,
      });
    }
    case 'hf': {
      const split = chooseSplit(spec.source, src.split, spec.split);
      const entry = catalogueByHub(src.id, src.config);
      const known = entry && entry.kind === spec.kind ? withEntry(spec, entry) : {};
      return loadHubDataset({ id: src.id, config: src.config, split }, spec.kind, io, {
        ...opts,
        ...known,
        ...base,
      });
    }
    case 'url': {
      const path = new URL(src.url).pathname;
      const name = decodeURIComponent(path.split('/').pop() || 'download');
      const bytes = await cachedDownload(src.url, io, name);
      const ds = await parseFile(name, bytes, spec.kind, spec.columns, spec.limit, opts);
      return { ...ds, name: spec.source };
    }
    case 'file': {
      if (!io.openFile) {
        throw new UserError(
          `This host cannot open files, so the data source "${spec.source}" cannot be read.`,
        );
      }
      const file = await io.openFile(src.path);
      return parseFile(src.name, file, spec.kind, spec.columns, spec.limit, opts);
    }
  }
}
