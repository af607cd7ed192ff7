import { useEffect } from 'react';
import { useConfigStore, writeHash } from './configStore.ts';
import { getIn } from './draft.ts';

/** Keeps the store in step with hand edits of the URL hash (a pasted link, back/forward). */
export function useHashSync(): void {
  const loadHash = useConfigStore((s) => s.loadHash);
  useEffect(() => {
    const onHash = () => loadHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    // Write the normalised hash once (the seed is always in the link).
    writeHash(useConfigStore.getState().draft);
    return () => window.removeEventListener('hashchange', onHash);
  }, [loadHash]);
}

/** One field of the draft by dotted path, and its setter. */
export function useField<T = unknown>(path: string): [T, (value: unknown) => void] {
  const value = useConfigStore((s) => getIn(s.draft, path)) as T;
  const set = useConfigStore((s) => s.set);
  return [value, (v: unknown) => set(path, v)];
}
