/**
 * A byte cache over the browser's Cache API, for Hub downloads (models, Parquet files).
 * Works in Workers; when the Cache API is missing (some private modes) it caches nothing.
 */
export interface ByteCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export function browserByteCache(name: string): ByteCache {
  const keyUrl = (key: string) => `https://cplay.cache/${encodeURIComponent(key)}`;
  const open = async () => (typeof caches === 'undefined' ? null : caches.open(name));
  return {
    async get(key) {
      const c = await open();
      const res = await c?.match(keyUrl(key));
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      const c = await open();
      await c?.put(keyUrl(key), new Response(bytes.slice().buffer));
    },
  };
}
