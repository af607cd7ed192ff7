import { baselinesText, scoreSummary, summaryText } from '../charts/stsSummary.ts';
import { useRunStore } from '../state/runStore.ts';
import { formatDuration, progressOf } from './progress.ts';

const STATUS_WORDS: Record<string, string> = {
  loading: 'loading the model and data…',
  running: 'training',
  paused: 'paused',
  stopped: 'stopped',
  finished: 'finished',
  failed: 'failed',
  interrupted: 'interrupted (page closed)',
  idle: 'idle',
};

/** "download: 1.2 of 4.4 MB" — sizes in bytes are shown in MB, counts as they are. */
function loadingWords(l: { phase: string; loaded: number; total?: number }): string {
  const bytes = l.phase === 'download' || l.phase === 'cache';
  const f = (n: number) => (bytes ? `${(n / 1e6).toFixed(1)} MB` : n.toLocaleString('en'));
  return `${l.phase}: ${f(l.loaded)}${l.total ? ` of ${f(l.total)}` : ''}`;
}

/** Backend in use with the reason for any fallback, progress, speed and time left. */
export function StatusBar() {
  const run = useRunStore((s) => (s.activeId ? s.runs[s.activeId] : undefined));
  const coi = useRunStore((s) => s.crossOriginIsolated);
  if (!run) {
    return (
      <section className="panel status" data-testid="status">
        No run shown. Press Start to train the encoder on the chosen data, or pick a run from the
        list.
        {coi === false && ' (This page is not cross-origin isolated: WASM will use one thread.)'}
      </section>
    );
  }
  const p = progressOf(run);
  const score = scoreSummary(run);
  return (
    <section className="panel status" data-testid="status" aria-live="polite">
      <div className="row status-line">
        <strong className="run-name">{run.name}</strong>
        <span className={`pill status-${run.status}`} title={STATUS_WORDS[run.status]}>
          <span data-testid="run-status">{run.status}</span>
        </span>
        <span>
          Backend: <strong data-testid="backend">{run.ready?.backend ?? '…'}</strong>
          {run.ready?.backend === 'wasm' && (
            <span data-testid="wasm-threads">
              {run.ready.wasmMultithread
                ? ' (multi-threaded SIMD build)'
                : ' (single-threaded: the page is not cross-origin isolated)'}
            </span>
          )}
          {run.ready?.backend === 'wasm' && run.ready.wasmGemm && (
            <span
              data-testid="wasm-gemm"
              title="The matrix products run on the playground's own WASM kernel"
            >
              {run.ready.wasmGemm === 'relaxed'
                ? ', products with fused multiply-add (relaxed SIMD)'
                : ', products on plain SIMD (this browser has no relaxed SIMD)'}
            </span>
          )}
          {run.ready?.adapter ? ` (${run.ready.adapter})` : ''}
        </span>
        <span data-testid="progress-step">
          step {p.step} / {p.total || '?'}
        </span>
        {p.sentencesPerSec !== null && (
          <span data-testid="speed">{Math.round(p.sentencesPerSec)} sentences/s</span>
        )}
        {p.secondsLeft !== null && run.status === 'running' && (
          <span data-testid="time-left">{formatDuration(p.secondsLeft)} left</span>
        )}
        {score && (
          <span
            data-testid="score-summary"
            title="Evaluation score at step 0 (before training) → now"
          >
            <strong>{summaryText(score)}</strong>
            {score.baselines && (
              <span
                className="small muted"
                data-testid="score-baselines"
                title="Spearman × 100 of lexical-overlap cosine on the same pairs, no training"
              >
                {' '}
                {baselinesText(score.baselines)}
              </span>
            )}
          </span>
        )}
        {run.checkpointStep !== undefined && (
          <span>
            checkpoint at step <span data-testid="checkpoint-step">{run.checkpointStep}</span>
          </span>
        )}
      </div>
      {run.status === 'loading' && run.loading && (
        <p className="small" data-testid="loading-progress">
          {loadingWords(run.loading)}
        </p>
      )}
      <progress
        max={p.total || 1}
        value={p.total ? p.step : 0}
        aria-label={`training progress: step ${p.step} of ${p.total || 'unknown'}`}
      />
      {run.ready && run.ready.reasons.length > 0 && (
        <ul className="reasons" data-testid="backend-reasons">
          {run.ready.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {run.logs.length > 0 && (
        <p className="small muted" data-testid="last-log">
          {run.logs[run.logs.length - 1]}
        </p>
      )}
      {run.ready && (
        <p className="small muted" data-testid="data-report">
          {run.ready.parameters.toLocaleString('en')} parameters ·{' '}
          {run.ready.trainExamples.toLocaleString('en')} training and{' '}
          {run.ready.evalExamples.toLocaleString('en')} eval examples · {run.ready.dataReport}
        </p>
      )}
    </section>
  );
}
