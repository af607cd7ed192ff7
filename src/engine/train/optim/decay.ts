/**
 * Which parameters get weight decay. The BERT recipe (Devlin et al.; Hugging Face's Trainer and
 * run_glue.py) leaves biases and LayerNorm gains undecayed:
 *
 *   no_decay = ["bias", "LayerNorm.weight"]
 *   decay iff not any(nd in name for nd in no_decay)      # a substring match on the HF name
 *
 * Names are Hugging Face parameter names (`encoder.layer.0.attention.output.LayerNorm.weight`,
 * `embeddings.LayerNorm.bias`, `pooler.dense.bias`, ...), the keys the model and weights modules
 * use. The match is case-sensitive, as in HF.
 */
export const NO_DECAY: readonly string[] = ['bias', 'LayerNorm.weight'];

/** true = apply weight decay to the parameter called `name` (HF's no_decay rule). */
export function decayMask(name: string): boolean {
  return !NO_DECAY.some((nd) => name.includes(nd));
}
