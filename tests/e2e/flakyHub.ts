/**
 * A local Hugging Face Hub for the browser fault tests (faults.e2e.ts): one data set's Parquet
 * listing and shards on 127.0.0.1 (a random free port), with CORS so the page's worker may read
 * it under cross-origin isolation, and a network that the test can take away:
 *
 * - `holdShard`: a shard's response sends its headers (with the full Content-Length) and the
 *   first half of its bytes, then waits; `cut()` then destroys every open socket, so the
 *   download breaks off in the middle, as when the network goes;
 * - `offline`: every new connection is destroyed at once (the network is gone), until it is
 *   set back to false.
 *
 * The URL layout is the Hub's (see tests/unit/data/hubMirror.ts and src/engine/data/hub.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FlakyHub {
  base: string;
  /** Hold each shard after its first half until cut() (default true). */
  holdShard: boolean;
  /** Refuse every connection while true. */
  offline: boolean;
  /** Resolves once a shard's first half has been sent (the download is under way). */
  halfSent(): Promise<void>;
  /** Destroys every open connection: downloads in flight break off. */
  cut(): void;
  /** Requests seen, as "METHOD path". */
  log: string[];
  close(): Promise<void>;
}

/** Serves `id` (config "default", split "train") as the one Parquet shard `shard`. */
export async function startFlakyHub(id: string, shard: Uint8Array): Promise<FlakyHub> {
  const sockets = new Set<Socket>();
  const log: string[] = [];
  let base = '';
  let onHalf: (() => void) | null = null;
  let half = new Promise<void>((r) => {
    onHalf = r;
  });
  const state = { holdShard: true, offline: false };
  const shardPath = `/datasets/${id}/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet`;

  const cors = (res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-store');
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    log.push(`${req.method} ${path}`);
    cors(res);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === `/api/datasets/${id}/parquet`) {
      const listing = { default: { train: [`${base}${shardPath}`] } };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(listing));
      return;
    }
    if (path === shardPath) {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(shard.byteLength),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      if (!state.holdShard) {
        res.end(shard);
        return;
      }
      const mid = Math.floor(shard.byteLength / 2);
      res.write(shard.subarray(0, mid), () => onHalf?.());
      return; // the rest never comes: cut() ends this connection
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":"Not found"}');
  });
  server.on('connection', (socket: Socket) => {
    if (state.offline) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    log,
    get holdShard() {
      return state.holdShard;
    },
    set holdShard(v: boolean) {
      state.holdShard = v;
    },
    get offline() {
      return state.offline;
    },
    set offline(v: boolean) {
      state.offline = v;
    },
    halfSent: () => half,
    cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      half = new Promise<void>((r) => {
        onHalf = r;
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
