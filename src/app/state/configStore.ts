/**
 * The experiment being edited. The draft is what the controls show and what the URL hash holds;
 * `config` is the validated experiment (null while a field is wrong, and Start is disabled).
 */
import { create } from 'zustand';
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { type Issue, type Json, setIn, validateDraft } from './draft.ts';
import { configToHash, hashToDraft } from './urlState.ts';

export interface ConfigState {
  draft: ExperimentConfig;
  config: ExperimentConfig | null;
  issues: Issue[];
  /** Settings of the link that were not understood (and replaced by defaults). */
  linkProblems: string[];
  /** Sets one field by its dotted path ('optimizer.lr'). */
  set(path: string, value: unknown): void;
  /** Replaces the whole experiment (a preset, a run's config). */
  replace(next: ExperimentConfig | Json): void;
  loadHash(hash: string): void;
}

/** Writes the draft into the URL hash (replaceState: no history entry per keystroke). */
export function writeHash(draft: ExperimentConfig): void {
  if (typeof window === 'undefined') return;
  const hash = `#${configToHash(draft)}`;
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}

function accept(next: ExperimentConfig): Pick<ConfigState, 'draft' | 'config' | 'issues'> {
  const v = validateDraft(next);
  // A valid draft is shown as parsed (defaults filled), so the controls show what will run.
  const draft = v.config ?? next;
  writeHash(draft);
  return { draft, config: v.config, issues: v.issues };
}

function fromHash(hash: string): Omit<ConfigState, 'set' | 'replace' | 'loadHash'> {
  const { draft, problems } = hashToDraft(hash);
  const v = validateDraft(draft);
  return { draft: v.config ?? draft, config: v.config, issues: v.issues, linkProblems: problems };
}

export const useConfigStore = create<ConfigState>((set, get) => ({
  ...fromHash(typeof window === 'undefined' ? '' : window.location.hash),
  set: (path, value) => set(accept(setIn(get().draft, path, value))),
  replace: (next) => set({ ...accept(next as ExperimentConfig), linkProblems: [] }),
  loadHash: (hash) => set(fromHash(hash)),
}));
