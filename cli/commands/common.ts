/**
 * Helpers shared by `cplay embed` and `cplay eval`: output streams, error reporting, backend
 * setup, opening a model, reading UTF-8 text files, batched sentence embedding, .npy writing.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { chooseBackend } from '../../src/engine/backend.ts';
import { isUserError, UserError } from '../../src/engine/errors.ts';
import { type BertModel, type Pooling, parsePooling, pool } from '../../src/engine/model/index.ts';
import { installNodeAssetLoader } from '../../src/engine/node/assets.ts';
import { folderSource } from '../../src/engine/node/folderSource.ts';
import * as tf from '../../src/engine/tf.ts';
import type { BertTokenizer } from '../../src/engine/tokenizer/index.ts';
import { openBuiltinModel } from '../../src/engine/weights/fileSources.ts';
import {
  hubSource,
  type LoadedModelFolder,
  loadModelFolder,
} from '../../src/engine/weights/modelFolder.ts';

/** Where a command writes: stdout for results, stderr for messages (tests pass their own). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * Runs a command body; any error becomes one line on stderr (`cplay embed: …`, no stack trace
 * unless CPLAY_DEBUG is set) and exit code 2 for errors the user caused, 1 for others.
 */
export async function runCommand(
  name: string,
  io: CliIO,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`cplay ${name}: ${isUserError(e) ? '' : 'error: '}${msg.split('\n')[0]}\n`);
    if (process.env.CPLAY_DEBUG && e instanceof Error) io.err(`${e.stack}\n`);
    return isUserError(e) ? 2 : 1;
  }
}

const BACKENDS = ['cpu', 'wasm', 'auto'] as const;

/** cpu (default), wasm (tfjs-backend-wasm with its .wasm files from node_modules) or auto. */
export async function setupBackend(name = 'cpu'): Promise<void> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UserError(
      `--backend ${name} is not one of ${BACKENDS.join(', ')} (WebGPU and WebGL run in the browser only).`,
    );
  }
  const require = createRequire(import.meta.url);
  const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  try {
    await chooseBackend(name as (typeof BACKENDS)[number], { wasmPaths });
  } catch (e) {
    throw new UserError(`--backend ${name} could not start: ${(e as Error).message}`);
  }
}

/**
 * `--model`: a local folder, `hf:<owner>/<name>[@revision]` from the Hugging Face Hub, or a
 * built-in encoder such as `builtin:bert-tiny-en` (read from the repository's public/builtin/).
 */
export async function openModel(spec: string): Promise<LoadedModelFolder> {
  if (spec.startsWith('builtin:')) {
    installNodeAssetLoader();
    return loadModelFolder(await openBuiltinModel(spec, '--model'));
  }
  if (spec.startsWith('hf:')) {
    const body = spec.slice(3);
    const at = body.lastIndexOf('@');
    const id = at > 0 ? body.slice(0, at) : body;
    const rev = at > 0 ? body.slice(at + 1) : 'main';
    return loadModelFolder(hubSource(id, rev, { base: process.env.CPLAY_HUB_BASE }));
  }
  return loadModelFolder(folderSource(spec));
}

/** The pooling to use: --pooling, else the folder's sentence-transformers pooling, else cls. */
export function choosePooling(flag: string | undefined, folder: LoadedModelFolder): Pooling {
  if (flag !== undefined) return parsePooling(flag, '--pooling');
  return folder.pooling ?? 'cls';
}

/** --max-length, else the folder's max_seq_length, else min(512, max_position_embeddings). */
export function chooseMaxLength(flag: number | undefined, folder: LoadedModelFolder): number {
  const limit = folder.config.max_position_embeddings;
  if (flag !== undefined) {
    if (!Number.isInteger(flag) || flag < 3)
      throw new UserError(`--max-length must be an integer of at least 3, got ${flag}.`);
    if (flag > limit)
      throw new UserError(
        `--max-length ${flag} is longer than the model's max_position_embeddings (${limit}).`,
      );
    return flag;
  }
  return Math.min(folder.maxSeqLength ?? 512, limit);
}

/** A text file's lines (no trailing empty line), refusing a missing file or invalid UTF-8 with the line number. */
export function readTextLines(path: string, what: string): string[] {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = readFileSync(path);
  } catch {
    throw new UserError(`${what} ${path} does not exist or is not a file.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(
      `${what} ${path} is not valid UTF-8 (first bad byte on line ${badUtf8Line(bytes)}).`,
    );
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** 1-based line of the first invalid UTF-8 sequence. */
function badUtf8Line(bytes: Uint8Array): number {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        dec.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

export interface EmbedOptions {
  pooling: Pooling;
  maxLength: number;
  batchSize?: number;
}

/**
 * Sentence embeddings in eval mode (no dropout), [n, H] row-major. Sentences are sorted by token
 * count and batched so each batch pads only to its own longest row; rows come back in input order.
 */
export async function embedSentences(
  model: BertModel,
  tokenizer: BertTokenizer,
  sentences: string[],
  opts: EmbedOptions,
): Promise<{ data: Float32Array; dim: number }> {
  const dim = model.config.hidden_size;
  const batchSize = opts.batchSize ?? 32;
  const encoded = sentences.map((s) => tokenizer.encode(s, undefined, opts.maxLength));
  const order = encoded
    .map((_, i) => i)
    .sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length);
  const data = new Float32Array(sentences.length * dim);
  for (let start = 0; start < order.length; start += batchSize) {
    const rows = order.slice(start, start + batchSize);
    const B = rows.length;
    const L = Math.max(...rows.map((r) => encoded[r]!.ids.length));
    const ids = new Int32Array(B * L).fill(tokenizer.padId); // [B, L]
    const mask = new Int32Array(B * L); // [B, L]
    const types = new Int32Array(B * L); // [B, L]
    rows.forEach((r, b) => {
      const e = encoded[r]!;
      ids.set(e.ids, b * L);
      mask.fill(1, b * L, b * L + e.ids.length);
      types.set(e.typeIds, b * L);
    });
    const z = tf.tidy(() => {
      const attentionMask = tf.tensor2d(mask, [B, L], 'int32');
      const out = model.forward(
        {
          inputIds: tf.tensor2d(ids, [B, L], 'int32'),
          attentionMask,
          tokenTypeIds: tf.tensor2d(types, [B, L], 'int32'),
        },
        { training: false },
      );
      return pool(out, attentionMask, opts.pooling); // [B, H]
    });
    const values = (await z.data()) as Float32Array;
    z.dispose();
    rows.forEach((r, b) => {
      data.set(values.subarray(b * dim, (b + 1) * dim), r * dim);
    });
  }
  return { data, dim };
}

/** A NumPy .npy file (format 1.0): little-endian float32 '<f4', C order, shape [n, d]. */
export function encodeNpy(data: Float32Array, shape: [number, number]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape[0]}, ${shape[1]}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}
