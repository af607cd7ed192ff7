import { useState } from 'react';
import type { WorkerMessage } from '../../worker/protocol.ts';
import { useClient } from '../clientContext.ts';
import { download } from '../export/download.ts';
import { fileStem, metricsCsv, metricsJson } from '../export/metrics.ts';
import { metadataTsv, vectorsTsv } from '../export/projector.ts';
import { zipFolder } from '../export/zip.ts';
import { useConfigStore } from '../state/configStore.ts';
import { useRunStore } from '../state/runStore.ts';

type ExportReply = Extract<WorkerMessage, { type: 'export-result' }>;
type EmbeddingsReply = Extract<WorkerMessage, { type: 'embeddings-result' }>;

const NOT_LOADED =
  'The worker holds only the run trained since the page opened. Resume this run (it restores its checkpoint), then export.';

function explain(error: string): string {
  return /not loaded/i.test(error) ? NOT_LOADED : error;
}

/** Model folder (.zip), metrics (CSV, JSON), embeddings for the Projector, config, link. */
export function ExportPanel() {
  const activeId = useRunStore((s) => s.activeId);
  // A fresh panel per run: no stale files or messages from the run shown before.
  return <ExportForRun key={activeId ?? ''} />;
}

function ExportForRun() {
  const client = useClient();
  const run = useRunStore((s) => (s.activeId ? s.runs[s.activeId] : undefined));
  // Selecting the draft re-renders the panel when the settings (and so the URL) change.
  const draft = useConfigStore((s) => s.draft);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [projector, setProjector] = useState<{
    vectors: string;
    metadata: string;
    n: number;
  } | null>(null);
  const link = window.location.href;
  const stem = run ? fileStem(run.name) : 'experiment';

  const exportModel = async () => {
    if (!client || !run) return;
    setBusy('model');
    setError(null);
    const r = await client.request<ExportReply>(
      (requestId) => ({ type: 'export', requestId, runId: run.id }),
      'export-result',
    );
    setBusy(null);
    if (r.error || !r.files) {
      setError(`The model could not be exported: ${explain(r.error ?? 'no files')}`);
      return;
    }
    download(`${stem}-model.zip`, zipFolder(r.files), 'application/zip');
    setNote(
      `Saved ${Object.keys(r.files).length} files. Unzip, then in Python: SentenceTransformer("folder") or AutoModel.from_pretrained("folder").`,
    );
  };

  const exportEmbeddings = async () => {
    if (!client || !run) return;
    setBusy('embeddings');
    setError(null);
    const r = await client.request<EmbeddingsReply>(
      (requestId) => ({ type: 'export-embeddings', requestId, runId: run.id }),
      'embeddings-result',
    );
    setBusy(null);
    if (r.error || !r.vectors || !r.dim || !r.texts) {
      setError(`The embeddings could not be exported: ${explain(r.error ?? 'nothing came back')}`);
      return;
    }
    setProjector({
      vectors: vectorsTsv(r.vectors, r.dim),
      metadata: metadataTsv(r.texts, r.groups ?? []),
      n: r.texts.length,
    });
  };

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setNote('The link is on the clipboard.');
    } catch {
      setNote('Copy the link from the box.');
    }
  };

  return (
    <section className="panel export" aria-labelledby="export-h">
      <h2 id="export-h">Export</h2>
      <div className="row buttons">
        <button
          type="button"
          data-testid="export-model"
          disabled={!run || !client || busy !== null}
          onClick={exportModel}
          title="A Hugging Face / sentence-transformers folder Python loads as is"
        >
          {busy === 'model' ? 'Exporting…' : 'Model (.zip)'}
        </button>
        <button
          type="button"
          data-testid="export-csv"
          disabled={!run}
          onClick={() => run && download(`${stem}-metrics.csv`, metricsCsv(run), 'text/csv')}
        >
          Metrics CSV
        </button>
        <button
          type="button"
          data-testid="export-json"
          disabled={!run}
          onClick={() =>
            run && download(`${stem}-metrics.json`, metricsJson(run), 'application/json')
          }
        >
          Metrics JSON
        </button>
        <button
          type="button"
          data-testid="export-embeddings"
          disabled={!run || !client || busy !== null}
          onClick={exportEmbeddings}
          title="vectors.tsv + metadata.tsv for projector.tensorflow.org"
        >
          {busy === 'embeddings' ? 'Embedding…' : 'Embeddings (Projector)'}
        </button>
        <button
          type="button"
          data-testid="export-config"
          onClick={() =>
            download(
              `${stem}-config.json`,
              `${JSON.stringify(run?.config ?? draft, null, 2)}\n`,
              'application/json',
            )
          }
        >
          Config JSON
        </button>
      </div>
      {projector && (
        <p className="small" data-testid="projector-files">
          {projector.n} points:{' '}
          <button
            type="button"
            className="link"
            data-testid="download-vectors"
            onClick={() => download('vectors.tsv', projector.vectors, 'text/tab-separated-values')}
          >
            vectors.tsv
          </button>{' '}
          and{' '}
          <button
            type="button"
            className="link"
            data-testid="download-metadata"
            onClick={() =>
              download('metadata.tsv', projector.metadata, 'text/tab-separated-values')
            }
          >
            metadata.tsv
          </button>
          ; load both at projector.tensorflow.org.
        </p>
      )}
      <label className="field">
        <span>Link to these settings</span>
        <span className="row nowrap">
          <input
            type="text"
            readOnly
            value={link}
            data-testid="share-link"
            onFocus={(e) => e.target.select()}
          />
          <button type="button" onClick={copyLink}>
            Copy
          </button>
        </span>
      </label>
      {note && (
        <p className="small muted" aria-live="polite" data-testid="export-note">
          {note}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
    </section>
  );
}
