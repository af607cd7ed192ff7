/**
 * Hugging Face data sets, read as the Parquet files the Hub publishes for every public data set.
 *
 * Endpoints (huggingface/dataset-viewer docs/source/parquet.md, "Using the Hugging Face Hub API"):
 * - `GET {hub}/api/datasets/{id}/parquet` → `{ [config]: { [split]: [url, …] } }`, the URLs being
 *   `{hub}/api/datasets/{id}/parquet/{config}/{split}/{n}.parquet`, which redirect to
 * - `{hub}/datasets/{id}/resolve/refs%2Fconvert%2Fparquet/{config}/{split}/{nnnn}.parquet`, the
 *   `refs/convert/parquet` branch, shards numbered 0000, 0001, … in order.
 * Partly converted splits (over 5 GB) are published as `partial-{split}`; that name is accepted
 * when the plain split is absent.
 *
 * The listing is fetched fresh (the cached copy is used only when the network fails); Parquet
 * shards are cache-first, keyed by URL. When the listing endpoint fails with a server error and
 * the config is known, the shards are fetched from the `refs/convert/parquet` layout directly.
 */
import { UserError } from '../errors.ts';
import { ExampleCollector } from './collector.ts';
import { readFormat } from './parseFile.ts';
import type { ColumnMap, DataIO, DataKind, Dataset, ParseOptions } from './types.ts';

export const DEFAULT_HUB_BASE = 'https://huggingface.co';

export interface HubRef {
  id: string;
  config?: string;
  split?: string;
}

type Listing = Record<string, Record<string, string[]>>;

function hubBase(io: DataIO): string {
  return (io.hubBase ?? DEFAULT_HUB_BASE).replace(/\/+$/, '');
}

function getFetch(io: DataIO): typeof fetch {
  const f = io.fetch ?? (typeof fetch === 'function' ? fetch : undefined);
  if (!f)
    throw new UserError(
      'This host has no network access (no fetch), so it cannot download data sets.',
    );
  return f;
}

/** Fetch a URL whole, reporting download progress; a short body is an error. */
export async function download(url: string, io: DataIO, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await getFetch(io)(url);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UserError(`Could not reach ${url} to download ${what} (${why}).`);
  }
  if (!res.ok) {
    const hint =
      res.status === 401 || res.status === 403
        ? ': it is private or gated, which this app cannot open'
        : res.status === 404
          ? ': not found'
          : '';
    throw new UserError(`Downloading ${what} from ${url} failed with HTTP ${res.status}${hint}.`);
  }
  const lengthHeader = res.headers.get('content-length');
  const total = lengthHeader === null ? undefined : Number(lengthHeader);
  const encoded = res.headers.get('content-encoding');
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new UserError(
          `The download of ${what} from ${url} broke off after ${loaded} bytes (${why}).`,
        );
      }
      if (step.done) break;
      chunks.push(step.value);
      loaded += step.value.byteLength;
      io.onProgress?.({ phase: 'download', loaded, total });
    }
  } else {
    const buf = new Uint8Array(await res.arrayBuffer());
    chunks.push(buf);
    loaded = buf.byteLength;
    io.onProgress?.({ phase: 'download', loaded, total });
  }
  if (total !== undefined && Number.isFinite(total) && !encoded && loaded < total) {
    throw new UserError(
      `The download of ${what} from ${url} stopped after ${loaded} of ${total} bytes.`,
    );
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Cache-first download (for files whose URL names fixed content). */
export async function cachedDownload(url: string, io: DataIO, what: string): Promise<Uint8Array> {
  const hit = await io.cache?.get(url);
  if (hit) {
    io.onProgress?.({ phase: 'cache', loaded: hit.byteLength, total: hit.byteLength });
    return hit;
  }
  const bytes = await download(url, io, what);
  await io.cache?.put(url, bytes);
  return bytes;
}

/** Point absolute huggingface.co URLs at a configured mirror. */
function onBase(url: string, base: string): string {
  return base === DEFAULT_HUB_BASE ? url : url.replace(/^https:\/\/huggingface\.co(?=\/)/, base);
}

class HubServerError extends Error {}

async function fetchListing(id: string, io: DataIO): Promise<Listing> {
  const url = `${hubBase(io)}/api/datasets/${id}/parquet`;
  io.onProgress?.({ phase: 'list', loaded: 0 });
  let bytes: Uint8Array;
  try {
    bytes = await fetchListingBytes(url, id, io);
    await io.cache?.put(url, bytes);
  } catch (e) {
    const cached = await io.cache?.get(url);
    if (!cached) throw e;
    bytes = cached;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new UserError(`The Hub's Parquet listing for "${id}" at ${url} is not JSON.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(`The Hub's Parquet listing for "${id}" at ${url} has an unexpected shape.`);
  }
  return parsed as Listing;
}

async function fetchListingBytes(url: string, id: string, io: DataIO): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await getFetch(io)(url);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new HubServerError(`Could not reach ${url} (${why}).`);
  }
  if (res.status === 404) {
    throw new UserError(
      `The Hugging Face data set "${id}" was not found at ${hubBase(io)}, or it has no Parquet version.`,
    );
  }
  if (res.status === 401 || res.status === 403) {
    throw new UserError(
      `The Hugging Face data set "${id}" is private or gated, which this app cannot open.`,
    );
  }
  if (!res.ok) throw new HubServerError(`The Hub answered HTTP ${res.status} for ${url}.`);
  return new Uint8Array(await res.arrayBuffer());
}

function pick(
  kind: 'config' | 'split',
  wanted: string | undefined,
  options: string[],
  id: string,
): string {
  const list = options.map((o) => `"${o}"`).join(', ');
  if (wanted !== undefined) {
    if (options.includes(wanted)) return wanted;
    if (kind === 'split' && options.includes(`partial-${wanted}`)) return `partial-${wanted}`;
    throw new UserError(
      `The Hugging Face data set "${id}" has no ${kind} "${wanted}"; it has ${list}.`,
    );
  }
  const fallback = kind === 'config' ? 'default' : 'train';
  if (options.includes(fallback)) return fallback;
  if (options.length === 1) return options[0] as string;
  throw new UserError(
    `The Hugging Face data set "${id}" has several ${kind}s (${list}); name one in the source, e.g. hf:${id}${kind === 'config' ? `:${options[0]}` : `@${options[0]}`}.`,
  );
}

/** Shard URLs from the `refs/convert/parquet` layout, probing 0000, 0001, … until a 404. */
async function probeShards(ref: Required<HubRef>, io: DataIO): Promise<string[]> {
  const base = `${hubBase(io)}/datasets/${ref.id}/resolve/refs%2Fconvert%2Fparquet/${encodeURIComponent(ref.config)}/${encodeURIComponent(ref.split)}`;
  const urls: string[] = [];
  for (let n = 0; n < 10_000; n++) {
    const url = `${base}/${String(n).padStart(4, '0')}.parquet`;
    if (await io.cache?.get(url)) {
      urls.push(url);
      continue;
    }
    const res = await getFetch(io)(url, { method: 'HEAD' }).catch(() => undefined);
    if (!res?.ok) break;
    urls.push(url);
  }
  if (urls.length === 0) {
    throw new UserError(
      `The Hub could not list "${ref.id}" and has no Parquet files for config "${ref.config}", split "${ref.split}".`,
    );
  }
  return urls;
}

/** Resolve config, split and shard URLs for a Hub data set. */
export async function hubShards(
  ref: HubRef,
  io: DataIO,
): Promise<{ config: string; split: string; urls: string[] }> {
  let listing: Listing;
  try {
    listing = await fetchListing(ref.id, io);
  } catch (e) {
    if (e instanceof HubServerError && ref.config !== undefined) {
      const split = ref.split ?? 'train';
      const urls = await probeShards({ id: ref.id, config: ref.config, split }, io);
      return { config: ref.config, split, urls };
    }
    if (e instanceof HubServerError) throw new UserError(e.message);
    throw e;
  }
  const config = pick('config', ref.config, Object.keys(listing), ref.id);
  const splits = listing[config] ?? {};
  const split = pick('split', ref.split, Object.keys(splits), ref.id);
  const urls = (splits[split] ?? []).map((u) => onBase(u, hubBase(io)));
  if (urls.length === 0) {
    throw new UserError(
      `The Hugging Face data set "${ref.id}" lists no Parquet files for ${config}/${split}.`,
    );
  }
  return { config, split, urls };
}

/** Load a Hub data set's split through the same column mapping as uploads. */
export async function loadHubDataset(
  ref: HubRef,
  kind: DataKind,
  io: DataIO,
  opts: ParseOptions & { columns?: ColumnMap; limit?: number; name?: string } = {},
): Promise<Dataset> {
  const { config, split, urls } = await hubShards(ref, io);
  const name = opts.name ?? `hf:${ref.id}:${config}@${split}`;
  const collector = new ExampleCollector({ ...opts, name, kind });
  for (let i = 0; i < urls.length && !collector.done; i++) {
    if (opts.limit !== undefined && collector.keptCount >= opts.limit) {
      collector.markTruncated(); // later shards exist, so rows were left unread
      break;
    }
    const url = urls[i] as string;
    const shard = `${ref.id} ${config}/${split} shard ${i + 1} of ${urls.length}`;
    const bytes = await cachedDownload(url, io, shard);
    await readFormat(
      'parquet',
      { name: shard, src: bytes, collector, columns: opts.columns, onProgress: io.onProgress },
      kind,
    );
  }
  return collector.finish();
}
