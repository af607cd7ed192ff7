/**
 * Labelled form controls bound to one field of the experiment draft by dotted path. Each shows
 * the schema's complaint about its own field right under it (aria-invalid + aria-describedby).
 */
import { type ReactNode, useEffect, useId, useState } from 'react';
import { useConfigStore } from '../state/configStore.ts';
import { type ErrorPlace, errorAdvice, errorPlace } from '../state/errorPlacement.ts';
import { useRunStore } from '../state/runStore.ts';
import { useField } from '../state/useExperiment.ts';

function testId(path: string): string {
  return `cfg-${path}`;
}

/** The schema's messages for exactly this path. */
function useIssues(path: string): string[] {
  return useConfigStore((s) => s.issues)
    .filter((i) => i.path === path)
    .map((i) => i.message);
}

function Problems({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {messages.join(' ')}
    </span>
  );
}

interface Common {
  path: string;
  /** Overrides the default test id `cfg-<path>`. */
  testId?: string;
  label: string;
  hint?: ReactNode;
  disabled?: boolean;
}

function fmt(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function NumberField({
  path,
  testId: tid,
  label,
  hint,
  disabled,
  min,
  max,
  step,
  nullable,
  placeholder,
}: Common & {
  min?: number;
  max?: number;
  step?: number | 'any';
  nullable?: boolean;
  placeholder?: string;
}) {
  const [value, setValue] = useField<unknown>(path);
  const [text, setText] = useState(fmt(value));
  const [local, setLocal] = useState<string | null>(null);
  const issues = useIssues(path);
  const id = useId();
  useEffect(() => {
    setText((t) => (t.trim() !== '' && Number(t) === value ? t : fmt(value)));
  }, [value]);
  const onChange = (t: string) => {
    setText(t);
    if (t.trim() === '') {
      if (nullable) {
        setLocal(null);
        setValue(null);
      } else setLocal('Enter a number.');
      return;
    }
    const n = Number(t);
    if (!Number.isFinite(n)) {
      setLocal('Enter a number.');
      return;
    }
    setLocal(null);
    setValue(n);
  };
  const messages = local ? [local] : issues;
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="decimal"
        data-testid={tid ?? testId(path)}
        value={text}
        min={min}
        max={max}
        step={step ?? 'any'}
        placeholder={placeholder ?? (nullable ? 'none' : undefined)}
        disabled={disabled}
        aria-invalid={messages.length > 0}
        aria-describedby={messages.length ? id : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && <small className="hint">{hint}</small>}
      <Problems id={id} messages={messages} />
    </label>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({
  path,
  testId: tid,
  label,
  hint,
  disabled,
  options,
  onSelect,
}: Common & { options: readonly (Option | string)[]; onSelect?: (value: string) => void }) {
  const [value, setValue] = useField<unknown>(path);
  const issues = useIssues(path);
  const id = useId();
  const opts = options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
  const current = fmt(value);
  return (
    <label className="field">
      <span>{label}</span>
      <select
        data-testid={tid ?? testId(path)}
        value={current}
        disabled={disabled}
        aria-invalid={issues.length > 0}
        aria-describedby={issues.length ? id : undefined}
        onChange={(e) => (onSelect ? onSelect(e.target.value) : setValue(e.target.value))}
      >
        {!opts.some((o) => o.value === current) && <option value={current}>{current}</option>}
        {opts.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && <small className="hint">{hint}</small>}
      <Problems id={id} messages={issues} />
    </label>
  );
}

export function CheckField({ path, testId: tid, label, hint, disabled }: Common) {
  const [value, setValue] = useField<unknown>(path);
  const issues = useIssues(path);
  const id = useId();
  return (
    <div className="check">
      <label>
        <input
          type="checkbox"
          data-testid={tid ?? testId(path)}
          checked={value === true}
          disabled={disabled}
          aria-describedby={issues.length ? id : undefined}
          onChange={(e) => setValue(e.target.checked)}
        />{' '}
        {label}
      </label>
      {hint && <small className="hint">{hint}</small>}
      <Problems id={id} messages={issues} />
    </div>
  );
}

export function TextField({
  path,
  testId: tid,
  label,
  hint,
  disabled,
  placeholder,
  list,
  optional,
}: Common & { placeholder?: string; list?: string; optional?: boolean }) {
  const [value, setValue] = useField<unknown>(path);
  const issues = useIssues(path);
  const id = useId();
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="text"
        data-testid={tid ?? testId(path)}
        value={fmt(value)}
        placeholder={placeholder}
        list={list}
        disabled={disabled}
        spellCheck={false}
        autoCapitalize="off"
        aria-invalid={issues.length > 0}
        aria-describedby={issues.length ? id : undefined}
        onChange={(e) => setValue(optional && e.target.value === '' ? undefined : e.target.value)}
      />
      {hint && <small className="hint">{hint}</small>}
      <Problems id={id} messages={issues} />
    </label>
  );
}

/** Schema complaints about a whole group (e.g. 'augment.embedding'), not one control. */
export function GroupIssues({ path }: { path: string }) {
  const messages = useIssues(path);
  if (messages.length === 0) return null;
  return (
    <p className="field-error" role="alert">
      {messages.join(' ')}
    </p>
  );
}

/** The active run's error, when it belongs to this place on the page. */
export function RunErrorAt({ place }: { place: ErrorPlace }) {
  const error = useRunStore((s) => (s.activeId ? s.runs[s.activeId]?.error : undefined));
  if (!error || errorPlace(error) !== place) return null;
  const advice = errorAdvice(error);
  return (
    <p className="error run-field-error" role="alert" data-testid={`error-${place}`}>
      {error.message}
      {advice && <span className="advice"> {advice}</span>}
    </p>
  );
}
