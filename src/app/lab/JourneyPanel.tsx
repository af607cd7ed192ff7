import { useMemo, useState } from 'react';
import {
  CHAPTERS,
  type Chapter,
  type LabLength,
  METRIC_LABEL,
  PRETRAINED_ENCODER,
} from '../../engine/lab/chapters.ts';
import { formatSeconds, paperValue } from '../../engine/lab/results.ts';
import { useClient } from '../clientContext.ts';
import { useRunStore } from '../state/runStore.ts';
import { useLabDriver } from './driver.ts';
import './journey.css';
import { journeyEncoder, labOverrides, pageChapterConfig } from './labConfig.ts';
import { newItemKey, useLabStore } from './labStore.ts';
import type { QueueItem } from './queue.ts';
import { ResultsTable } from './ResultsTable.tsx';
import { estimateSecondsLeft, journeyRows } from './rows.ts';
import { SweepPanel } from './SweepPanel.tsx';

function chapterItem(chapter: Chapter, length: LabLength, encoder: string | null): QueueItem {
  return {
    key: newItemKey(),
    chapter: chapter.id,
    length,
    name: `Journey: ${chapter.title}${length === 'full' ? ' (full)' : ''}`,
    config: pageChapterConfig(chapter, length, labOverrides(), encoder),
    state: 'waiting',
    starts: 0,
  };
}

/**
 * The journey: the story of contrastive sentence embeddings, chapter by chapter, each with its
 * claim, the paper's number and a Run button; Run all queues every chapter; the runs go one after
 * another in the worker (surviving a reload), and the table fills as they finish.
 */
export function JourneyPanel() {
  const client = useClient();
  useLabDriver(client);
  const items = useLabStore((s) => s.items);
  const runs = useRunStore((s) => s.runs);
  const [length, setLength] = useState<LabLength>('quick');
  const [error, setError] = useState<string | null>(null);
  const [encoderText, setEncoderText] = useState('');
  const rows = useMemo(() => journeyRows(items, runs), [items, runs]);
  const left = useMemo(() => estimateSecondsLeft(items, runs), [items, runs]);
  // The table's setting: the lengths its chapters ran at (the radio may have moved since).
  const lengths = [...new Set(items.filter((i) => i.chapter).map((i) => i.length ?? 'quick'))];
  const overrides = labOverrides();
  const running = items.find((i) => i.state === 'running');
  const waiting = items.filter((i) => i.state === 'waiting').length;
  const done = items.filter((i) => i.state === 'done').length;

  const enqueue = (chapters: readonly Chapter[]) => {
    try {
      const encoder = journeyEncoder(encoderText);
      useLabStore.getState().enqueue(chapters.map((c) => chapterItem(c, length, encoder)));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  // The driver stops the running run as soon as it trains (see queue.ts).
  const cancel = () => useLabStore.getState().cancel();
  const steps = CHAPTERS[0]![length].maxSteps;

  return (
    <details className="panel journey" data-testid="journey">
      <summary>
        <h2>Journey: contrastive learning, chapter by chapter, beside the papers’ numbers</h2>
      </summary>
      <div className="panel-body">
        <p className="small">
          From “EDA views failed” to “dropout is the best augmentation” to “R-Drop beats contrasting
          pre-dense logits”: each chapter is an ordinary run with its recipe, read by STS-B dev
          Spearman or genre accuracy. The papers’ numbers are BERT-base on the full data; ours start
          from the built-in pre-trained small BERT, so compare which recipe wins.
        </p>
        {overrides.length > 0 && (
          <p className="note small" data-testid="lab-overrides">
            Every chapter here runs with the link’s overrides: {overrides.join(', ')}.
          </p>
        )}
        <label className="small lab-encoder">
          Encoder for the pre-trained chapters{' '}
          <input
            type="text"
            data-testid="lab-encoder"
            placeholder={PRETRAINED_ENCODER}
            value={encoderText}
            spellCheck={false}
            onChange={(e) => setEncoderText(e.target.value)}
          />
          <span className="muted">
            {' '}
            empty: the built-in {PRETRAINED_ENCODER} (offline); or a Hub id such as
            prajjwal1/bert-tiny or sentence-transformers/all-MiniLM-L6-v2 (needs the Hub). The
            wordnet chapter always starts from random init.
          </span>
        </label>
        <div className="row buttons">
          <label className="small">
            <input
              type="radio"
              name="lab-length"
              data-testid="lab-length-quick"
              checked={length === 'quick'}
              onChange={() => setLength('quick')}
            />{' '}
            quick ({CHAPTERS[0]!.quick.maxSteps} steps)
          </label>
          <label className="small">
            <input
              type="radio"
              name="lab-length"
              data-testid="lab-length-full"
              checked={length === 'full'}
              onChange={() => setLength('full')}
            />{' '}
            full ({CHAPTERS[0]!.full.maxSteps} steps)
          </label>
          <button
            type="button"
            className="primary"
            data-testid="lab-run-all"
            disabled={!client}
            onClick={() => enqueue(CHAPTERS)}
          >
            Run all ({length})
          </button>
          <button
            type="button"
            data-testid="lab-cancel"
            disabled={!running && waiting === 0}
            onClick={cancel}
          >
            Cancel
          </button>
          <button
            type="button"
            data-testid="lab-clear"
            disabled={items.length === 0}
            title="Forget the queue and the table (the runs stay in the run list)"
            onClick={() => useLabStore.getState().clear()}
          >
            Clear table
          </button>
        </div>
        <p className="small muted" data-testid="lab-status" aria-live="polite">
          {running
            ? `Running ${running.name}; ${waiting} waiting, ${done} done. ${
                left === null
                  ? 'The time left is estimated once the first queued run finishes.'
                  : `About ${formatSeconds(left)} left, at the pace of the runs finished so far.`
              }`
            : waiting
              ? `${waiting} waiting for the current run to end.`
              : done
                ? `Queue finished: ${done} run${done === 1 ? '' : 's'}.`
                : 'Nothing queued.'}
        </p>
        {error && (
          <p className="error" role="alert" data-testid="lab-error">
            {error}
          </p>
        )}
        <ol className="chapters">
          {CHAPTERS.map((c) => (
            <li key={c.id} className="chapter" data-testid={`lab-chapter-${c.id}`}>
              <div>
                <strong>{c.title}</strong> <code className="small">{c.id}</code>
                <p className="small">{c.claim}</p>
                <p className="small muted">
                  {c.paper
                    ? `Paper: ${paperValue(c.paper.value)} — ${c.paper.citation} (${c.paper.measure}).`
                    : 'No paper number for this recipe.'}{' '}
                  Read by {METRIC_LABEL[c.metric]}.
                </p>
              </div>
              <button
                type="button"
                className="small-btn chapter-run"
                data-testid={`lab-run-${c.id}`}
                disabled={!client}
                onClick={() => enqueue([c])}
              >
                Run ({length}, {steps} steps)
              </button>
            </li>
          ))}
        </ol>
        <ResultsTable
          rows={rows}
          setting={`${lengths.join(' and ')}${overrides.length ? `, overrides ${overrides.join(' ')}` : ''}`}
        />
        <SweepPanel />
      </div>
    </details>
  );
}
