import { useId, useState } from 'react';
import { POOLINGS } from '../../engine/config/schema.ts';
import { BUILTIN_ENCODERS } from '../../engine/weights/fileSources.ts';
import { useClient } from '../clientContext.ts';
import { useField } from '../state/useExperiment.ts';
import { NumberField, RunErrorAt, SelectField } from './fields.tsx';
import { Section } from './Section.tsx';
import { uploadFolder } from './upload.ts';

/** Small BERTs that train in a browser tab. */
export const HUB_SUGGESTIONS = [
  'prajjwal1/bert-tiny',
  'prajjwal1/bert-mini',
  'prajjwal1/bert-small',
  'google/bert_uncased_L-2_H-128_A-2',
  'sentence-transformers/all-MiniLM-L6-v2',
  'nreimers/MiniLM-L6-H384-uncased',
] as const;

/** The pretrained encoders that ship with the app, as `builtin:<name>` sources. */
const PRETRAINED = Object.entries(BUILTIN_ENCODERS).map(([name, e]) => ({
  value: `builtin:${name}`,
  label: e.short,
  title: e.title,
}));

type Mode = 'pretrained' | 'builtin' | 'hub' | 'folder' | 'url';

function modeOf(source: string): Mode {
  if (source === 'builtin') return 'builtin';
  if (source.startsWith('builtin:')) return 'pretrained';
  if (source.startsWith('hf:')) return 'hub';
  if (source.startsWith('upload:')) return 'folder';
  return 'url';
}

const POOLING_LABELS: Record<(typeof POOLINGS)[number], string> = {
  cls: '[CLS]',
  cls_before_pooler: '[CLS], no pooler',
  mean: 'mean of tokens',
  avg_first_last: 'mean, first + last layer',
  avg_top2: 'mean, top 2 layers',
};

export function EncoderPanel() {
  const client = useClient();
  const [source, setSource] = useField<string>('encoder.source');
  // 'Local folder' is chosen before a folder is picked: the source changes only after upload.
  const [pendingFolder, setPendingFolder] = useState(false);
  const [folderNote, setFolderNote] = useState<string>('');
  const hubId = useId();
  const srcStr = String(source ?? '');
  const shownMode: Mode = pendingFolder ? 'folder' : modeOf(srcStr);

  const pickMode = (m: Mode) => {
    setPendingFolder(m === 'folder' && modeOf(srcStr) !== 'folder');
    if (m === 'builtin') setSource('builtin');
    if (m === 'pretrained' && modeOf(srcStr) !== 'pretrained') setSource(PRETRAINED[0]!.value);
    if (m === 'hub') setSource(`hf:${HUB_SUGGESTIONS[0]}`);
    if (m === 'url' && !/^https?:/.test(srcStr)) setSource('https://');
  };

  return (
    <Section id="encoder" title="Encoder">
      <label className="field">
        <span>Model</span>
        <select
          data-testid="encoder-mode"
          value={shownMode}
          onChange={(e) => pickMode(e.target.value as Mode)}
        >
          <option value="pretrained">Built-in, pretrained (offline)</option>
          <option value="builtin">Built-in, random init (learns from scratch)</option>
          <option value="hub">Hugging Face Hub</option>
          <option value="folder">Local folder</option>
          <option value="url">URL of a model folder</option>
        </select>
      </label>
      {shownMode === 'pretrained' && (
        <SelectField
          path="encoder.source"
          testId="encoder-builtin"
          label="Built-in model"
          options={PRETRAINED}
          hint={`${PRETRAINED.find((p) => p.value === srcStr)?.title ?? 'A model folder that ships with the app'}. Works offline; its size comes from the model itself.`}
        />
      )}
      {shownMode === 'builtin' && (
        <div className="grid2">
          <NumberField path="encoder.builtin.layers" label="Layers" min={1} max={24} step={1} />
          <NumberField
            path="encoder.builtin.hidden"
            label="Hidden size"
            min={8}
            max={1024}
            step={8}
          />
          <NumberField path="encoder.builtin.heads" label="Heads" min={1} max={32} step={1} />
          <NumberField
            path="encoder.builtin.intermediate"
            label="Feed-forward size"
            min={8}
            max={4096}
            step={8}
          />
        </div>
      )}
      {shownMode === 'hub' && (
        <label className="field">
          <span>Hub model id</span>
          <input
            type="text"
            list={hubId}
            data-testid="encoder-hub-id"
            value={srcStr.replace(/^hf:/, '')}
            spellCheck={false}
            autoCapitalize="off"
            onChange={(e) => setSource(`hf:${e.target.value.trim()}`)}
          />
          <datalist id={hubId}>
            {HUB_SUGGESTIONS.map((h) => (
              <option key={h} value={h} />
            ))}
          </datalist>
          <small className="hint">
            Small BERTs train in a browser: bert-tiny (4M), bert-mini (11M), MiniLM-L6 (22M). Add
            @revision to pin one.
          </small>
        </label>
      )}
      {shownMode === 'folder' && (
        <label className="field">
          <span>Model folder (config.json, model.safetensors, vocab.txt …)</span>
          <input
            type="file"
            multiple
            data-testid="encoder-folder"
            ref={(el) => {
              el?.setAttribute('webkitdirectory', '');
            }}
            onChange={async (e) => {
              const files = e.target.files;
              if (!client || !files || files.length === 0) return;
              const r = await uploadFolder(client, files);
              setFolderNote(r.note);
              if (r.folder) {
                setPendingFolder(false);
                setSource(`upload:${r.folder}`);
              }
            }}
          />
          <small className="hint">
            {folderNote ||
              (srcStr.startsWith('upload:')
                ? `Using the uploaded folder ${srcStr.slice(7)} (uploads last until the page is reloaded).`
                : 'Pick a Hugging Face BERT folder; nothing leaves your computer.')}
          </small>
        </label>
      )}
      {shownMode === 'url' && (
        <label className="field">
          <span>Folder URL</span>
          <input
            type="url"
            value={srcStr}
            spellCheck={false}
            onChange={(e) => setSource(e.target.value.trim())}
          />
        </label>
      )}
      <RunErrorAt place="encoder.source" />
      <div className="grid2">
        <SelectField
          path="encoder.pooling"
          label="Pooling"
          options={POOLINGS.map((p) => ({ value: p, label: POOLING_LABELS[p] }))}
        />
        <SelectField
          path="encoder.mlpHead"
          label="MLP head"
          hint="SimCSE: training only (unsup), always (sup)."
          options={[
            { value: 'none', label: 'none' },
            { value: 'train-only', label: 'training only' },
            { value: 'always', label: 'always' },
          ]}
        />
        <NumberField
          path="encoder.hiddenDropout"
          label="Hidden dropout"
          min={0}
          max={1}
          step={0.05}
        />
        <NumberField
          path="encoder.attentionDropout"
          label="Attention dropout"
          min={0}
          max={1}
          step={0.05}
        />
        <NumberField
          path="encoder.maxLength"
          label="Max length (tokens)"
          min={4}
          max={512}
          step={1}
        />
      </div>
    </Section>
  );
}
