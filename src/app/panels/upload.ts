/** Picked files → the worker's upload registry (names the config can use as `upload:<name>`). */
import type { WorkerClient } from '../workerClient.ts';

/** Files of a model folder the worker reads; everything else (ONNX, Flax, git) stays behind. */
export function isModelFile(relPath: string): boolean {
  const parts = relPath.split('/');
  if (parts.some((p) => p.startsWith('.') || /^(onnx|openvino|flax|tf)$/i.test(p))) return false;
  return /\.(json|txt|safetensors|bin|md)$/i.test(relPath);
}

/** Splits "folder/sub/file" into the picked folder's name and the path inside it. */
export function splitPicked(path: string): { folder: string; rel: string } {
  const clean = path.replace(/\\/g, '/');
  const i = clean.indexOf('/');
  return i < 0
    ? { folder: '', rel: clean }
    : { folder: clean.slice(0, i), rel: clean.slice(i + 1) };
}

export async function uploadFolder(
  client: WorkerClient,
  files: FileList,
): Promise<{ folder: string | null; note: string }> {
  const list = [...files];
  const first = list[0];
  if (!first) return { folder: null, note: 'No files were picked.' };
  const folder = splitPicked(first.webkitRelativePath || first.name).folder || 'model';
  let bytes = 0;
  let count = 0;
  for (const f of list) {
    const { rel } = splitPicked(f.webkitRelativePath || `${folder}/${f.name}`);
    if (!isModelFile(rel)) continue;
    client.upload(`${folder}/${rel}`, f);
    bytes += f.size;
    count++;
  }
  if (count === 0) {
    return {
      folder: null,
      note: `The folder ${folder} has no model files (config.json, model.safetensors, vocab.txt).`,
    };
  }
  return {
    folder,
    note: `Uploaded ${count} files of ${folder} (${(bytes / 1e6).toFixed(1)} MB) to the worker; they last until the page is reloaded.`,
  };
}

/**
 * One data file: registered under its own name. Only the File handle goes to the worker, which
 * reads and parses it off the page's thread (the page stays responsive for any size).
 */
export async function uploadDataFile(client: WorkerClient, file: File): Promise<string> {
  const name = file.name.replace(/[/\\]/g, '_');
  client.upload(name, file);
  return `upload:${name}`;
}
