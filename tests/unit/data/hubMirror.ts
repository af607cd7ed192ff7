/**
 * A local Hugging Face Hub mirror on 127.0.0.1 (node:http, random free port) with the Hub's URL
 * layout for converted Parquet files (dataset-viewer docs, "List Parquet files"):
 *   GET /api/datasets/{id}/parquet                      → {config: {split: [url, …]}}
 *   GET /api/datasets/{id}/parquet/{config}/{split}/{n}.parquet
 *                                                       → 302 to the refs/convert/parquet file
 *   GET|HEAD /datasets/{id}/resolve/refs%2Fconvert%2Fparquet/{config}/{split}/{nnnn}.parquet
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MirrorSet {
  /** config → split → shard bytes in order. */
  [config: string]: Record<string, Uint8Array[]>;
}

export interface HubMirror {
  base: string;
  /** Every request as "METHOD path". */
  log: string[];
  /** Answer /api/ requests with HTTP 500 (to exercise the direct refs/convert/parquet layout). */
  failApi: boolean;
  close(): Promise<void>;
}

const RESOLVE =
  /^\/datasets\/(.+)\/resolve\/refs%2Fconvert%2Fparquet\/([^/]+)\/([^/]+)\/(\d{4})\.parquet$/;
const API_FILE = /^\/api\/datasets\/(.+)\/parquet\/([^/]+)\/([^/]+)\/(\d+)\.parquet$/;
const API_LIST = /^\/api\/datasets\/(.+)\/parquet$/;

export async function startHubMirror(sets: Record<string, MirrorSet>): Promise<HubMirror> {
  const state = { failApi: false };
  const log: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    log.push(`${req.method} ${path}`);
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Not found"}');
    };
    if (path.startsWith('/api/') && state.failApi) {
      res.writeHead(500);
      res.end('internal error');
      return;
    }
    let m = RESOLVE.exec(path);
    if (m) {
      const shard =
        sets[m[1] as string]?.[decodeURIComponent(m[2] as string)]?.[
          decodeURIComponent(m[3] as string)
        ]?.[Number(m[4])];
      if (!shard) return notFound();
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(shard.byteLength),
      });
      res.end(req.method === 'HEAD' ? undefined : shard);
      return;
    }
    m = API_FILE.exec(path);
    if (m) {
      const n = String(Number(m[4])).padStart(4, '0');
      res.writeHead(302, {
        location: `/datasets/${m[1]}/resolve/refs%2Fconvert%2Fparquet/${m[2]}/${m[3]}/${n}.parquet`,
      });
      res.end();
      return;
    }
    m = API_LIST.exec(path);
    if (m) {
      const id = m[1] as string;
      const set = sets[id];
      if (!set) return notFound();
      const listing: Record<string, Record<string, string[]>> = {};
      for (const [config, splits] of Object.entries(set)) {
        listing[config] = {};
        for (const [split, shards] of Object.entries(splits)) {
          (listing[config] as Record<string, string[]>)[split] = shards.map(
            (_, i) => `${base}/api/datasets/${id}/parquet/${config}/${split}/${i}.parquet`,
          );
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(listing));
      return;
    }
    notFound();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    log,
    get failApi() {
      return state.failApi;
    },
    set failApi(v: boolean) {
      state.failApi = v;
    },
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((e) => (e ? fail(e) : ok()));
      }),
  };
}
