import { useState } from 'react';
import { EVAL_KINDS, TRAIN_KINDS } from '../../engine/config/schema.ts';
import { BUILTIN_SETS, builtinSet } from '../../engine/data/builtinSets.ts';
import { CATALOGUE, catalogueEntry } from '../../engine/data/catalogue.ts';
import { useClient } from '../clientContext.ts';
import { useConfigStore } from '../state/configStore.ts';
import { getIn } from '../state/draft.ts';
import { useField } from '../state/useExperiment.ts';
import { CheckField, NumberField, RunErrorAt, SelectField, TextField } from './fields.tsx';
import { Section } from './Section.tsx';
import { uploadDataFile } from './upload.ts';

type Which = 'train' | 'eval';
type Mode = 'builtin' | 'catalogue' | 'hub' | 'upload' | 'other';

export function modeOfSource(source: string): Mode {
  if (source.startsWith('builtin:')) return 'builtin';
  if (source.startsWith('catalogue:')) return 'catalogue';
  if (source.startsWith('hf:')) return 'hub';
  if (source.startsWith('upload:')) return 'upload';
  return 'other';
}

/** 'catalogue:stsb@validation' → ['stsb', 'validation'] */
export function parseCatalogueSource(source: string): { id: string; split: string | null } {
  const body = source.replace(/^catalogue:/, '');
  const at = body.indexOf('@');
  return at < 0 ? { id: body, split: null } : { id: body.slice(0, at), split: body.slice(at + 1) };
}

const KIND_LABELS: Record<string, string> = {
  sentences: 'sentences',
  pairs: 'pairs',
  triplets: 'triplets (hard neg.)',
  labeled: 'labelled',
  'labeled-pairs': 'labelled pairs',
  sts: 'STS (scored pairs)',
};

const COLUMN_KEYS = ['text', 'text2', 'text3', 'label', 'score'] as const;

/** The built-in sets offered for training or for evaluation, as `builtin:<name>` sources. */
export function builtinChoices(which: Which): { value: string; label: string }[] {
  const kinds: readonly string[] = which === 'train' ? TRAIN_KINDS : EVAL_KINDS;
  return Object.entries(BUILTIN_SETS)
    .filter(([, set]) => set.use === which && kinds.includes(set.kind))
    .map(([name, set]) => ({
      value: `builtin:${name}`,
      label: `${set.short} – ${KIND_LABELS[set.kind] ?? set.kind}`,
    }));
}

function DataSetFields({ which }: { which: Which }) {
  const client = useClient();
  const base = `data.${which}`;
  const [source, setSource] = useField<string>(`${base}.source`);
  const [, setKind] = useField<string>(`${base}.kind`);
  const [pendingUpload, setPendingUpload] = useState(false);
  const [uploadNote, setUploadNote] = useState('');
  const src = String(source ?? '');
  const mode: Mode = pendingUpload ? 'upload' : modeOfSource(src);
  const kinds: readonly string[] = which === 'train' ? TRAIN_KINDS : EVAL_KINDS;

  const pickMode = (m: Mode) => {
    setPendingUpload(m === 'upload' && mode !== 'upload');
    if (m === 'builtin') {
      // The offline yardstick for evaluation, the Brown corpus for training.
      const preferred = which === 'eval' ? 'builtin:stsb-dev' : 'builtin:default';
      const choices = builtinChoices(which);
      pickBuiltin((choices.find((c) => c.value === preferred) ?? choices[0]!).value);
    }
    if (m === 'catalogue') pickEntry(which === 'train' ? 'wiki1m' : 'stsb');
    if (m === 'hub') setSource('hf:');
    if (m === 'other') setSource('https://');
  };
  const pickBuiltin = (value: string) => {
    setSource(value);
    const set = builtinSet(value);
    if (set && kinds.includes(set.kind)) setKind(set.kind);
    useConfigStore.getState().set(`${base}.columns`, undefined);
  };
  const pickEntry = (id: string, split?: string) => {
    const e = catalogueEntry(id);
    if (!e) return;
    setSource(`catalogue:${id}@${split ?? e.hub.split}`);
    if (kinds.includes(e.kind)) setKind(e.kind);
    useConfigStore.getState().set(`${base}.columns`, undefined);
  };

  const builtin = mode === 'builtin' ? builtinSet(src) : undefined;
  const cat = mode === 'catalogue' ? parseCatalogueSource(src) : null;
  const entry = cat ? catalogueEntry(cat.id) : undefined;

  return (
    <fieldset className="dataset" data-testid={`dataset-${which}`}>
      <legend>{which === 'train' ? 'Training set' : 'Evaluation set'}</legend>
      <label className="field">
        <span>From</span>
        <select
          data-testid={`data-${which}-mode`}
          value={mode}
          onChange={(e) => pickMode(e.target.value as Mode)}
        >
          <option value="builtin">Built-in (offline)</option>
          <option value="catalogue">Catalogue (the papers' sets)</option>
          <option value="hub">Hugging Face Hub id</option>
          <option value="upload">Upload a file</option>
          <option value="other">URL</option>
        </select>
      </label>
      {mode === 'builtin' && (
        <>
          <SelectField
            path={`${base}.source`}
            testId={`data-${which}-builtin`}
            label="Built-in set"
            options={builtinChoices(which)}
            onSelect={pickBuiltin}
          />
          <small className="hint">
            {builtin
              ? `${builtin.title}. Licence: ${builtin.licence} Ships with the app: works offline.`
              : 'Ships with the app: works offline.'}
          </small>
        </>
      )}
      {mode === 'catalogue' && cat && (
        <div className="grid2">
          <label className="field">
            <span>Data set</span>
            <select value={cat.id} onChange={(e) => pickEntry(e.target.value)}>
              {!entry && <option value={cat.id}>{cat.id}</option>}
              {CATALOGUE.filter((c) => which === 'train' || kinds.includes(c.kind)).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Split</span>
            <select
              value={cat.split ?? entry?.hub.split ?? ''}
              onChange={(e) => pickEntry(cat.id, e.target.value)}
            >
              {(entry?.hub.splits ?? [cat.split ?? '']).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          {entry && (
            <small className="hint span2">
              {entry.use} Licence: {entry.licence} Needs the network once, then it is cached.
            </small>
          )}
        </div>
      )}
      {mode === 'hub' && (
        <label className="field">
          <span>Hub data set</span>
          <input
            type="text"
            data-testid={`data-${which}-hub`}
            value={src.replace(/^hf:/, '')}
            placeholder="owner/name[:config][@split]"
            spellCheck={false}
            autoCapitalize="off"
            onChange={(e) => setSource(`hf:${e.target.value.trim()}`)}
          />
          <small className="hint">
            Read as Parquet from the Hub, e.g. mteb/stsbenchmark-sts@test.
          </small>
        </label>
      )}
      {mode === 'upload' && (
        <label className="field">
          <span>File (TSV, CSV, JSONL, TXT or Parquet)</span>
          <input
            type="file"
            data-testid={`data-${which}-file`}
            accept=".tsv,.csv,.jsonl,.json,.txt,.parquet"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!client || !f) return;
              const s = await uploadDataFile(client, f);
              setUploadNote(`${f.name} (${(f.size / 1024).toFixed(1)} kB) is ready in the worker.`);
              setPendingUpload(false);
              setSource(s);
            }}
          />
          <small className="hint">
            {uploadNote ||
              (src.startsWith('upload:')
                ? `Using ${src.slice(7)} (uploads last until the page is reloaded).`
                : 'Pick a file; it stays in your browser.')}
          </small>
        </label>
      )}
      {mode === 'other' && <TextField path={`${base}.source`} label="Source" />}
      <div className="grid2">
        <SelectField
          path={`${base}.kind`}
          label="Kind"
          options={kinds.map((k) => ({ value: k, label: KIND_LABELS[k] ?? k }))}
        />
        <NumberField
          path={`${base}.limit`}
          label="Row limit"
          min={1}
          step={1}
          nullable
          placeholder="all"
        />
      </div>
      <details className="columns">
        <summary>Columns (empty: found by name)</summary>
        <div className="grid2">
          {COLUMN_KEYS.map((c) => (
            <TextField key={c} path={`${base}.columns.${c}`} label={c} optional />
          ))}
        </div>
      </details>
      <RunErrorAt place={which === 'train' ? 'data.train' : 'data.eval'} />
    </fieldset>
  );
}

export function DataPanel() {
  const evalSet = useConfigStore((s) => getIn(s.draft, 'data.eval'));
  const set = useConfigStore((s) => s.set);
  return (
    <Section id="data" title="Data">
      <DataSetFields which="train" />
      <div className="check">
        <label>
          <input
            type="checkbox"
            data-testid="data-eval-on"
            checked={evalSet !== null && evalSet !== undefined}
            onChange={(e) =>
              set(
                'data.eval',
                e.target.checked ? { source: 'builtin:stsb-dev', kind: 'sts', limit: null } : null,
              )
            }
          />{' '}
          Evaluate on a separate set
        </label>
        <small className="hint">
          Without one, alignment and uniformity use two dropout views of held-out training
          sentences.
        </small>
      </div>
      {evalSet !== null && evalSet !== undefined && <DataSetFields which="eval" />}
      <CheckField path="shuffle" label="Shuffle the training set each epoch" />
    </Section>
  );
}
