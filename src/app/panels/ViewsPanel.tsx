import { useClient } from '../clientContext.ts';
import { useConfigStore } from '../state/configStore.ts';
import { getIn } from '../state/draft.ts';
import { EmbeddingViewFields, VIEW_DEFAULTS } from './EmbeddingViewFields.tsx';
import { CheckField, GroupIssues, NumberField, RunErrorAt, SelectField } from './fields.tsx';
import { PreviewBox } from './PreviewBox.tsx';
import { Section } from './Section.tsx';
import { uploadDataFile } from './upload.ts';

const EDA_ON = {
  synonymReplacement: 0.1,
  randomInsertion: 0.1,
  randomSwap: 0.1,
  randomDeletion: 0.1,
  combine: 'one',
  synonyms: null,
} as const;

type EmbMode = 'none' | 'same' | 'each';

function embMode(emb: unknown): EmbMode {
  if (!emb || typeof emb !== 'object') return 'none';
  return 'kind' in emb ? 'same' : 'each';
}

function EdaFields() {
  const client = useClient();
  const synonyms = useConfigStore((s) => getIn(s.draft, 'augment.eda.synonyms'));
  const set = useConfigStore((s) => s.set);
  return (
    <div className="grid2">
      <NumberField
        path="augment.eda.synonymReplacement"
        label="Synonym replacement α"
        min={0}
        max={1}
        step={0.05}
      />
      <NumberField
        path="augment.eda.randomInsertion"
        label="Random insertion α"
        min={0}
        max={1}
        step={0.05}
      />
      <NumberField
        path="augment.eda.randomSwap"
        label="Random swap α"
        min={0}
        max={1}
        step={0.05}
      />
      <NumberField
        path="augment.eda.randomDeletion"
        label="Random deletion p"
        min={0}
        max={1}
        step={0.05}
      />
      <SelectField
        path="augment.eda.combine"
        label="Per view"
        hint="One: EDA's reference code."
        options={[
          { value: 'one', label: 'one operation' },
          { value: 'all', label: 'all, in turn' },
        ]}
      />
      <label className="field span2">
        <span>Synonyms (non-English)</span>
        <input
          type="file"
          accept=".txt,.tsv,.csv"
          data-testid="eda-synonyms-file"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (client && f) set('augment.eda.synonyms', await uploadDataFile(client, f));
          }}
        />
        <small className="hint">
          {typeof synonyms === 'string'
            ? `Using ${synonyms.replace(/^upload:/, '')}.`
            : 'WordNet for English. For other languages, a list: one group of synonyms per line (or Cilin).'}
          {typeof synonyms === 'string' && (
            <>
              {' '}
              <button
                type="button"
                className="link"
                onClick={() => set('augment.eda.synonyms', null)}
              >
                use WordNet
              </button>
            </>
          )}
        </small>
      </label>
    </div>
  );
}

export function ViewsPanel() {
  const eda = useConfigStore((s) => getIn(s.draft, 'augment.eda'));
  const emb = useConfigStore((s) => getIn(s.draft, 'augment.embedding'));
  const set = useConfigStore((s) => s.set);
  const mode = embMode(emb);
  const setMode = (m: EmbMode) => {
    if (m === 'none') set('augment.embedding', null);
    if (m === 'same') set('augment.embedding', structuredClone(VIEW_DEFAULTS['token-cutoff']));
    if (m === 'each') {
      set('augment.embedding', {
        view1: structuredClone(VIEW_DEFAULTS.shuffle),
        view2: structuredClone(VIEW_DEFAULTS['feature-cutoff']),
      });
    }
  };
  return (
    <Section id="views" title="Views">
      <CheckField
        path="augment.dropout"
        label="Dropout views (the same input twice, independent dropout masks)"
      />
      <fieldset>
        <legend>
          <label>
            <input
              type="checkbox"
              data-testid="eda-on"
              checked={!!eda}
              onChange={(e) => set('augment.eda', e.target.checked ? { ...EDA_ON } : null)}
            />{' '}
            EDA text edits
          </label>
        </legend>
        {eda ? (
          <EdaFields />
        ) : (
          <small className="hint">
            Synonym replacement, insertion, swap and deletion (Wei &amp; Zou).
          </small>
        )}
      </fieldset>
      <fieldset>
        <legend>Embedding views (ConSERT)</legend>
        <label className="field">
          <span>Apply</span>
          <select
            data-testid="embedding-mode"
            value={mode}
            onChange={(e) => setMode(e.target.value as EmbMode)}
          >
            <option value="none">none</option>
            <option value="same">the same kind to both views</option>
            <option value="each">a different kind to each view</option>
          </select>
        </label>
        {mode === 'same' && <EmbeddingViewFields path="augment.embedding" label="View" />}
        {mode === 'each' && (
          <div className="grid2">
            <EmbeddingViewFields path="augment.embedding.view1" label="View 1" nullable />
            <EmbeddingViewFields path="augment.embedding.view2" label="View 2" nullable />
          </div>
        )}
        <GroupIssues path="augment.embedding" />
      </fieldset>
      <RunErrorAt place="augment" />
      <PreviewBox />
    </Section>
  );
}
