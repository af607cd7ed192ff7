/**
 * `DataCache` implementations: in memory (tests, one session) and over the Cache API, which the
 * browser host passes (Cache Storage exists in workers too). Keys are arbitrary strings; the
 * Cache API needs URLs, so keys are wrapped in a fixed synthetic origin.
 */
import type { DataCache } from './types.ts';

export function memoryDataCache(): DataCache & { readonly size: number } {
  const map = new Map<string, Uint8Array>();
  return {
    get size() {
      return map.size;
    },
    async get(key) {
      return map.get(key);
    },
    async put(key, bytes) {
      map.set(key, bytes.slice());
    },
  };
}

/** The parts of the Cache API this uses (CacheStorage in browsers and workers). */
export interface CacheStorageLike {
  open(name: string): Promise<{
    match(request: string): Promise<Response | undefined>;
    put(request: string, response: Response): Promise<void>;
  }>;
}

const KEY_ORIGIN = 'https://contrastive-playground.cache/';

export function cacheKeyUrl(key: string): string {
  return KEY_ORIGIN + encodeURIComponent(key);
}

/** A cache over the Cache API (`globalThis.caches` unless another storage is given). */
export function cacheApiDataCache(
  cacheName = 'cplay-data-v1',
  storage?: CacheStorageLike,
): DataCache {
  const store = storage ?? (globalThis as { caches?: CacheStorageLike }).caches;
  if (!store) throw new Error('The Cache API is not available in this context.');
  const opened = store.open(cacheName);
  return {
    async get(key) {
      const res = await (await opened).match(cacheKeyUrl(key));
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      const body = bytes.slice();
      await (await opened).put(
        cacheKeyUrl(key),
        new Response(body, { headers: { 'content-type': 'application/octet-stream' } }),
      );
    },
  };
}
