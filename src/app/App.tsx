import { useEffect, useMemo, useRef, useState } from 'react';
import type { ExperimentConfig } from '../engine/config/schema.ts';
import { LossChart } from './charts/LossChart.tsx';
import { RunControls } from './panels/RunControls.tsx';
import { StatusBar } from './panels/StatusBar.tsx';
import { useRunStore } from './state/runStore.ts';
import { useExperiment } from './state/useExperiment.ts';
import { WorkerClient } from './workerClient.ts';

export function App() {
  const clientRef = useRef<WorkerClient | null>(null);
  const [client, setClient] = useState<WorkerClient | null>(null);
  const handle = useRunStore((s) => s.handle);
  const { config, error: configError, update } = useExperiment();

  useEffect(() => {
    const c = new WorkerClient();
    clientRef.current = c;
    const off = c.on(handle);
    setClient(c);
    return () => {
      off();
      c.terminate();
    };
  }, [handle]);

  const runs = useRunStore((s) => s.runs);
  const activeId = useRunStore((s) => s.activeId);
  const overlay = useRunStore((s) => s.overlay);
  const shown = useMemo(() => {
    const ids = overlay.length ? overlay : activeId ? [activeId] : [];
    return ids.map((id) => runs[id]).filter((r) => r !== undefined);
  }, [runs, activeId, overlay]);

  return (
    <>
      <header className="top">
        <h1>Contrastive Playground</h1>
        <span className="tagline">
          Train a text encoder in your browser with SimCSE, ConSERT, EDA, R-Drop and SupCon.
        </span>
      </header>
      <main className="layout">
        <div>
          {configError && (
            <p className="error" role="alert" data-testid="config-error">
              {configError}
            </p>
          )}
          <RunControls client={client} config={config} update={update} />
        </div>
        <div>
          <StatusBar />
          <div className="charts">
            <LossChart runs={shown} />
          </div>
        </div>
      </main>
    </>
  );
}

export type { ExperimentConfig };
