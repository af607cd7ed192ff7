import { useCallback, useEffect, useState } from 'react';
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { configToHash, hashToConfig } from './urlState.ts';

function read(): { config: ExperimentConfig; error: string | null } {
  try {
    return { config: hashToConfig(window.location.hash), error: null };
  } catch (e) {
    return {
      config: hashToConfig(''),
      error: `The link's settings were not valid and the defaults are shown instead: ${(e as Error).message}`,
    };
  }
}

/** The experiment config, kept in the URL hash; `update` validates and rewrites the hash. */
export function useExperiment() {
  const [state, setState] = useState(read);

  useEffect(() => {
    const onHash = () => setState(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const update = useCallback((next: ExperimentConfig) => {
    const hash = configToHash(next);
    window.history.replaceState(null, '', `#${hash}`);
    setState(read());
  }, []);

  return { config: state.config, error: state.error, update };
}
