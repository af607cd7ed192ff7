import { useEffect, useState } from 'react';
import { AlignUniformChart } from './charts/AlignUniformChart.tsx';
import { AuPlane } from './charts/AuPlane.tsx';
import { CosineHeatmap } from './charts/CosineHeatmap.tsx';
import { EvalScoreChart } from './charts/EvalScoreChart.tsx';
import { LossChart } from './charts/LossChart.tsx';
import { LrChart } from './charts/LrChart.tsx';
import { ProjectionChart } from './charts/ProjectionChart.tsx';
import { ClientContext } from './clientContext.ts';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { JourneyPanel } from './lab/JourneyPanel.tsx';
import { DataPanel } from './panels/DataPanel.tsx';
import { EncoderPanel } from './panels/EncoderPanel.tsx';
import { ExportPanel } from './panels/ExportPanel.tsx';
import { ObjectivePanel } from './panels/ObjectivePanel.tsx';
import { OptimizerPanel } from './panels/OptimizerPanel.tsx';
import { PresetsPanel } from './panels/PresetsPanel.tsx';
import { RunControls } from './panels/RunControls.tsx';
import { RunList } from './panels/RunList.tsx';
import { StatusBar } from './panels/StatusBar.tsx';
import { ViewsPanel } from './panels/ViewsPanel.tsx';
import { useConfigStore } from './state/configStore.ts';
import { loadRuns, startPersistence } from './state/persistence.ts';
import { useRunStore } from './state/runStore.ts';
import { useHashSync } from './state/useExperiment.ts';
import { useChartRuns } from './state/useShownRuns.ts';
import { WorkerClient } from './workerClient.ts';

/** The worker, the saved runs and the persistence loop, started once per page. */
function useBoot(): { client: WorkerClient | null; storageError: string | null } {
  const [client, setClient] = useState<WorkerClient | null>(null);
  const [storageError, setStorageError] = useState<string | null>(null);
  const handle = useRunStore((s) => s.handle);
  useEffect(() => {
    const c = new WorkerClient();
    const off = c.on(handle);
    setClient(c);
    return () => {
      off();
      c.terminate();
    };
  }, [handle]);
  useEffect(() => {
    let stop = () => {};
    let cancelled = false;
    loadRuns()
      .then((runs) => {
        if (cancelled) return;
        useRunStore.getState().hydrate(runs);
        stop = startPersistence(setStorageError);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        useRunStore.getState().hydrate([]); // nothing to read back: queues may start
        setStorageError(
          `Saved runs could not be read (${e instanceof Error ? e.message : String(e)}); new runs will not be saved.`,
        );
      });
    return () => {
      cancelled = true;
      stop();
    };
  }, []);
  return { client, storageError };
}

function Charts() {
  const shown = useChartRuns();
  const active = shown[0];
  return (
    <div className="charts">
      <ErrorBoundary what="The loss chart">
        <LossChart runs={shown} />
      </ErrorBoundary>
      <ErrorBoundary what="The learning-rate chart">
        <LrChart runs={shown} />
      </ErrorBoundary>
      <ErrorBoundary what="The alignment and uniformity chart">
        <AlignUniformChart runs={shown} />
      </ErrorBoundary>
      <ErrorBoundary what="The alignment–uniformity plane">
        <AuPlane runs={shown} />
      </ErrorBoundary>
      <ErrorBoundary what="The evaluation chart">
        <EvalScoreChart runs={shown} />
      </ErrorBoundary>
      <ErrorBoundary what="The cosine heatmap">
        <CosineHeatmap run={active} />
      </ErrorBoundary>
      <ErrorBoundary what="The projection">
        <ProjectionChart run={active} />
      </ErrorBoundary>
    </div>
  );
}

export function App() {
  const { client, storageError } = useBoot();
  const linkProblems = useConfigStore((s) => s.linkProblems);
  useHashSync();

  return (
    <ClientContext.Provider value={client}>
      <a className="skip" href="#charts">
        Skip to the charts
      </a>
      <header className="top">
        <h1>Contrastive Playground</h1>
        <span className="tagline">
          Train a text encoder in your browser with SimCSE, ConSERT, EDA, R-Drop and SupCon.
        </span>
      </header>
      <main className="layout">
        <section className="controls" aria-label="Settings">
          {linkProblems.length > 0 && (
            <p className="error" role="alert" data-testid="config-error">
              Some settings in the link were not understood and the defaults are used instead:{' '}
              {linkProblems.join(' ')}
            </p>
          )}
          {storageError && (
            <p className="error" role="alert" data-testid="storage-error">
              {storageError}
            </p>
          )}
          <ErrorBoundary what="The presets">
            <PresetsPanel />
          </ErrorBoundary>
          <ErrorBoundary what="The run buttons">
            <RunControls />
          </ErrorBoundary>
          <ErrorBoundary what="The encoder settings">
            <EncoderPanel />
          </ErrorBoundary>
          <ErrorBoundary what="The data settings">
            <DataPanel />
          </ErrorBoundary>
          <ErrorBoundary what="The view settings">
            <ViewsPanel />
          </ErrorBoundary>
          <ErrorBoundary what="The objective settings">
            <ObjectivePanel />
          </ErrorBoundary>
          <ErrorBoundary what="The optimiser settings">
            <OptimizerPanel />
          </ErrorBoundary>
        </section>
        <div className="live" id="charts" tabIndex={-1}>
          <ErrorBoundary what="The status bar">
            <StatusBar />
          </ErrorBoundary>
          <Charts />
          <div className="below-charts">
            <ErrorBoundary what="The run list">
              <RunList />
            </ErrorBoundary>
            <ErrorBoundary what="Export">
              <ExportPanel />
            </ErrorBoundary>
          </div>
          <ErrorBoundary what="The journey">
            <JourneyPanel />
          </ErrorBoundary>
        </div>
      </main>
    </ClientContext.Provider>
  );
}
