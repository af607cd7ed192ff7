import { useMemo, useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { METRIC_LABEL } from '../../engine/lab/chapters.ts';
import {
  parseSweepFields,
  parseSweepValues,
  sweepConfigs,
  sweepLabel,
} from '../../engine/lab/sweep.ts';
import { ChartBox } from '../charts/ChartBox.tsx';
import { colorOf } from '../charts/colors.ts';
import { fmtNum } from '../charts/series.ts';
import { useConfigStore } from '../state/configStore.ts';
import { useRunStore } from '../state/runStore.ts';
import { newItemKey, useLabStore } from './labStore.ts';
import type { QueueItem } from './queue.ts';
import { type SweepSeries, sweepSeries } from './rows.ts';

/** The final score against the swept value, one point per finished run. */
function SweepChart({ series }: { series: SweepSeries }) {
  const data = series.points
    .filter((p) => p.score !== null && p.status === 'finished')
    .map((p) => ({ x: p.value, y: p.score as number }))
    .sort((a, b) => a.x - b.x);
  const label = series.metric ? METRIC_LABEL[series.metric] : 'no evaluation set';
  return (
    <ChartBox
      title={`Sweep: ${series.fields.join(', ')}`}
      testId="sweep-chart"
      note={`Final ${label} against the swept value.`}
      empty={data.length === 0 ? 'Points appear as the sweep’s runs finish.' : null}
      attrs={{ 'data-points': data.length, 'data-sweep': series.id }}
    >
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 5, right: 12, bottom: 5, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} />
          <YAxis width={44} domain={['auto', 'auto']} />
          <Tooltip
            formatter={(v) => fmtNum(v, 4)}
            labelFormatter={(l) => `${series.fields[0]} = ${l}`}
          />
          <Line dataKey="y" stroke={colorOf(0)} isAnimationActive={false} dot />
        </LineChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}

/**
 * Any numeric field of the controls' config over a list of values: one queued run per value,
 * overlaid as they run, and the final score plotted against the value.
 */
export function SweepPanel() {
  const config = useConfigStore((s) => s.config);
  const items = useLabStore((s) => s.items);
  const runs = useRunStore((s) => s.runs);
  const [fields, setFields] = useState('objective.temperature');
  const [values, setValues] = useState('0.01, 0.05, 0.1, 1');
  const [error, setError] = useState<string | null>(null);
  const series = useMemo(() => sweepSeries(items, runs), [items, runs]);

  const start = () => {
    if (!config) {
      setError('Fix the highlighted settings first: the sweep starts from the controls’ config.');
      return;
    }
    try {
      const f = parseSweepFields(fields);
      const points = sweepConfigs(config, { fields: f, values: parseSweepValues(values) });
      const id = newItemKey();
      const queued: QueueItem[] = points.map((p) => ({
        key: newItemKey(),
        sweep: { id, fields: f, value: p.value },
        name: `Sweep: ${sweepLabel(f, p.value)}`,
        config: p.config,
        state: 'waiting',
        starts: 0,
      }));
      useLabStore.getState().enqueue(queued);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="sweep" data-testid="sweep">
      <h3>Sweep a field</h3>
      <p className="small muted">
        Starts from the settings in the controls. Several fields joined by commas take the same
        value (SimCSE’s dropout p: encoder.hiddenDropout, encoder.attentionDropout).
      </p>
      <form
        className="sweep-form"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <label>
          Field
          <input
            data-testid="sweep-field"
            value={fields}
            size={34}
            onChange={(e) => setFields(e.target.value)}
          />
        </label>
        <label>
          Values
          <input
            data-testid="sweep-values"
            value={values}
            size={20}
            onChange={(e) => setValues(e.target.value)}
          />
        </label>
        <button type="submit" data-testid="sweep-run">
          Queue the sweep
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="sweep-error">
          {error}
        </p>
      )}
      {series[0] && <SweepChart series={series[0]} />}
    </div>
  );
}
