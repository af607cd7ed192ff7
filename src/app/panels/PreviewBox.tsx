import { useEffect, useId, useRef, useState } from 'react';
import type { PreviewToken, ViewPreview } from '../../engine/augment/preview.ts';
import type { WorkerMessage } from '../../worker/protocol.ts';
import { useClient } from '../clientContext.ts';
import { useConfigStore } from '../state/configStore.ts';
import { asViews, countMarks, MARK_LEGEND, tokenDescription } from './previewMarks.ts';

export const EXAMPLES = [
  { label: 'English', text: 'A man is playing a large guitar on the quiet stage tonight.' },
  { label: 'Chinese', text: '我不会再爱你' },
] as const;

type PreviewReply = Extract<WorkerMessage, { type: 'preview-result' }>;

function Token({ t }: { t: PreviewToken }) {
  const kinds = t.marks.map((m) => m.kind).filter((k) => k !== 'kept');
  const words = tokenDescription(t);
  return (
    <span
      className={`tok ${kinds.map((k) => `mark-${k}`).join(' ')}`}
      data-mark={kinds.join(' ') || 'kept'}
      title={words || undefined}
    >
      {t.text}
      {words && <span className="sr-only"> ({words})</span>}
    </span>
  );
}

function View({ v, k }: { v: ViewPreview; k: number }) {
  return (
    <div className="pview" data-testid={`preview-view-${k}`}>
      <div className="pview-head">View {k}</div>
      <p className="tokens" lang="">
        {v.tokens.map((t, i) => (
          // tokens have no identity beyond their place in the view
          // biome-ignore lint/suspicious/noArrayIndexKey: positional list
          <Token key={i} t={t} />
        ))}
      </p>
      {v.embedding && (
        <>
          <p className="tokens emb">
            <span className="sr-only">After the {v.embedding.view.kind} view: </span>
            {v.embedding.tokens.map((t, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: positional list
              <Token key={i} t={t} />
            ))}
          </p>
          <small className="hint">{v.embedding.note}</small>
        </>
      )}
      <small className="hint">{v.note}</small>
    </div>
  );
}

/** Type a sentence, see its two views with every edit marked (the worker makes them). */
export function PreviewBox() {
  const client = useClient();
  const augment = useConfigStore((s) => s.draft.augment);
  const seed = useConfigStore((s) => s.draft.seed);
  const [text, setText] = useState<string>(EXAMPLES[0].text);
  const [bump, setBump] = useState(0);
  const [views, setViews] = useState<[ViewPreview, ViewPreview] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const textId = useId();
  const augmentKey = JSON.stringify(augment);

  useEffect(() => {
    if (!client) return;
    const ticket = ++latest.current;
    const timer = setTimeout(() => {
      const previewSeed = ((Number(seed) || 0) + bump * 7919) % 2 ** 31;
      client
        .request<PreviewReply>(
          (requestId) => ({
            type: 'preview',
            requestId,
            text,
            augment: JSON.parse(augmentKey),
            seed: previewSeed,
          }),
          'preview-result',
        )
        .then((r) => {
          if (ticket !== latest.current) return;
          if (r.error) {
            setError(r.error);
            return;
          }
          const v = asViews(r.views);
          setError(v ? null : 'The preview came back in an unexpected shape.');
          setViews(v);
        });
    }, 200);
    return () => clearTimeout(timer);
  }, [client, text, augmentKey, seed, bump]);

  const counts = views ? countMarks(views) : {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);

  return (
    <div className="preview" data-testid="preview">
      <label className="field" htmlFor={textId}>
        <span>Preview the two views of a sentence</span>
      </label>
      <textarea
        id={textId}
        data-testid="preview-text"
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="row small">
        {EXAMPLES.map((x) => (
          <button
            key={x.label}
            type="button"
            data-testid={`preview-example-${x.label.toLowerCase()}`}
            onClick={() => setText(x.text)}
            aria-pressed={text === x.text}
          >
            {x.label}: {x.text.length > 18 ? `${x.text.slice(0, 16)}…` : x.text}
          </button>
        ))}
        <button
          type="button"
          data-testid="preview-regenerate"
          onClick={() => setBump((b) => b + 1)}
        >
          Regenerate
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="preview-error">
          {error}
        </p>
      )}
      {views && (
        <div className="pviews" data-testid="preview-views" data-marks={total} aria-live="polite">
          <View v={views[0]} k={1} />
          <View v={views[1]} k={2} />
        </div>
      )}
      <ul className="legend" aria-label="Marks">
        {MARK_LEGEND.map((m) => (
          <li key={m.kind}>
            <span className={`tok mark-${m.kind}`}>abc</span> {m.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
