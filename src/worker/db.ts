/**
 * The IndexedDB database shared by the page (run list, metrics) and the Worker (checkpoints, the
 * backend probe's decisions). One schema, one version, defined here only.
 * Version 2 added 'probes' (backend probe results per device and run shape).
 */
import type { ProbeCache, ProbeRecord } from '../engine/backendProbe.ts';

export const DB_NAME = 'contrastive-playground';
export const DB_VERSION = 2;
export type StoreName = 'runs' | 'checkpoints' | 'probes';

let dbPromise: Promise<IDBDatabase> | null = null;

export function openDb(): Promise<IDBDatabase> {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs');
        if (!db.objectStoreNames.contains('checkpoints')) db.createObjectStore('checkpoints');
        if (!db.objectStoreNames.contains('probes')) db.createObjectStore('probes');
      };
      req.onsuccess = () => {
        const db = req.result;
        // A newer version opened elsewhere (another tab after an update) waits for this
        // connection to close: close it, and open again on the next use.
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error ?? new Error('IndexedDB failed to open'));
    });
    dbPromise.catch(() => {
      dbPromise = null;
    });
  }
  return dbPromise;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export async function dbGet<T>(store: StoreName, key: string): Promise<T | undefined> {
  const db = await openDb();
  return done(db.transaction(store, 'readonly').objectStore(store).get(key)) as Promise<
    T | undefined
  >;
}

/** A full quota in plain words (the browser says "QuotaExceededError" in its own terms). */
export const STORAGE_FULL =
  "this site's browser storage is full (quota exceeded); what was not saved stays in this tab and is saved again when there is room";

/** An IndexedDB write failure as an Error a person can read; a full quota says so. */
export function writeError(e: unknown): Error {
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError' || /quota/i.test(String(e))) return new Error(STORAGE_FULL);
  return e instanceof Error ? e : new Error(String(e ?? 'IndexedDB write failed'));
}

export async function dbPut(store: StoreName, key: string, value: unknown): Promise<void> {
  const db = await openDb();
  let tx: IDBTransaction;
  try {
    tx = db.transaction(store, 'readwrite');
    tx.objectStore(store).put(value, key);
  } catch (e) {
    throw writeError(e);
  }
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(writeError(tx.error ?? new Error('IndexedDB write failed')));
    tx.onabort = () => reject(writeError(tx.error ?? new Error('IndexedDB write aborted')));
  });
}

export async function dbDelete(store: StoreName, key: string): Promise<void> {
  const db = await openDb();
  await done(db.transaction(store, 'readwrite').objectStore(store).delete(key));
}

export async function dbAll<T>(store: StoreName): Promise<{ key: string; value: T }[]> {
  const db = await openDb();
  const os = db.transaction(store, 'readonly').objectStore(store);
  const [keys, values] = await Promise.all([done(os.getAllKeys()), done(os.getAll())]);
  return keys.map((k, i) => ({ key: String(k), value: values[i] as T }));
}

/** The backend probe's decisions, kept per device and run shape (engine/backendProbe.ts). */
export function idbProbeCache(): ProbeCache {
  return {
    get: (key) => dbGet<ProbeRecord>('probes', key),
    put: (key, record) => dbPut('probes', key, record),
  };
}
