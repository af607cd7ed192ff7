/**
 * Where a run's error is shown: next to the control that caused it. The worker names the config
 * field when it knows it (ErrorEvent.field); otherwise the message's own "field: …" prefix or its
 * kind decides. Every error is also shown by the run buttons.
 */
import type { RunError } from './runRecord.ts';

/** Places errors can be shown, by config path (or 'backend' / 'run'). */
export type ErrorPlace =
  | 'encoder.source'
  | 'data.train'
  | 'data.eval'
  | 'augment'
  | 'objective'
  | 'optimizer'
  | 'backend'
  | 'run';

const PLACES: readonly ErrorPlace[] = [
  'encoder.source',
  'data.train',
  'data.eval',
  'augment',
  'objective',
  'optimizer',
  'backend',
];

function placeOfField(field: string): ErrorPlace | null {
  if (field === 'encoder' || field.startsWith('encoder.')) return 'encoder.source';
  for (const p of PLACES) if (field === p || field.startsWith(`${p}.`)) return p;
  if (field === 'batchSize' || field === 'gradCache' || field.startsWith('gradCache.')) {
    return 'optimizer';
  }
  return null;
}

export function errorPlace(error: RunError): ErrorPlace {
  if (error.field) {
    const p = placeOfField(error.field);
    if (p) return p;
  }
  const prefix = /^([a-zA-Z]+(?:\.[a-zA-Z0-9]+)*):\s/.exec(error.message);
  if (prefix) {
    const p = placeOfField(prefix[1]!);
    if (p) return p;
  }
  if (error.kind === 'divergence') return 'optimizer';
  // A model that does not load: the folder's files, the Hub model, the weights' names and shapes.
  if (
    /config\.json|safetensors|pytorch_model|vocab\.txt|tokenizer|model folder|Hub model|uploaded folder|checkpoint .*(weights|shape)/i.test(
      error.message,
    )
  ) {
    return 'encoder.source';
  }
  if (
    /out of memory|\boom\b|allocation failed|device (was )?lost|webgpu|webgl context/i.test(
      error.message,
    )
  ) {
    return 'backend';
  }
  return 'run';
}

/** A sentence of advice for an error, in plain words; '' when the message says it all. */
export function errorAdvice(error: RunError): string {
  if (error.kind === 'divergence') {
    return 'Lower the learning rate, turn on gradient clipping, or raise the temperature, then resume or start again.';
  }
  if (/out of memory|\boom\b|allocation failed/i.test(error.message)) {
    return 'The model or batch did not fit in memory: lower the batch size, the max length or the model size, or use GradCache chunks.';
  }
  if (/device (was )?lost|context lost/i.test(error.message)) {
    return 'The GPU device was lost. Resume from the last checkpoint, or pick another backend.';
  }
  return '';
}

/** The first sentence of a message, at most `max` characters (the full one sits by its control). */
export function shorten(message: string, max = 160): string {
  const first = /^(.+?[.!?])(\s|$)/.exec(message)?.[1] ?? message;
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
