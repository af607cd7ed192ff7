/**
 * The journey lab's queue (zustand), kept in localStorage so a reload resumes it. The runs
 * themselves live in the run store and IndexedDB like every run; the queue only names them.
 */
import { create } from 'zustand';
import { cancelWaiting, type QueueItem, reviveItems, updateItem } from './queue.ts';

export const LAB_STORAGE_KEY = 'cplay.lab.v1';

export interface LabState {
  items: QueueItem[];
  enqueue(items: QueueItem[]): void;
  update(key: string, patch: Partial<QueueItem>): void;
  /** Nothing waiting starts any more (the running run is stopped by the caller). */
  cancel(): void;
  /** Forgets the queue and its results table (the runs stay in the run list). */
  clear(): void;
}

function load(): QueueItem[] {
  try {
    const text = globalThis.localStorage?.getItem(LAB_STORAGE_KEY);
    return text ? reviveItems(JSON.parse(text)) : [];
  } catch {
    return [];
  }
}

function save(items: QueueItem[]): void {
  try {
    globalThis.localStorage?.setItem(LAB_STORAGE_KEY, JSON.stringify(items));
  } catch {
    // Storage full or off: the queue still runs, it just will not survive a reload.
  }
}

export const useLabStore = create<LabState>((set, get) => ({
  items: load(),
  enqueue: (more) => set({ items: [...get().items, ...more] }),
  update: (key, patch) => set({ items: updateItem(get().items, key, patch) }),
  cancel: () => set({ items: cancelWaiting(get().items) }),
  clear: () => set({ items: get().items.filter((i) => i.state === 'running') }),
}));

useLabStore.subscribe((s, prev) => {
  if (s.items !== prev.items) save(s.items);
});

let counter = 0;
export function newItemKey(): string {
  counter += 1;
  return `lab-${Date.now().toString(36)}-${counter}`;
}
