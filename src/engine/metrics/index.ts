/** Evaluation metrics: tensors or plain numbers in, plain numbers out. */

export { alignment } from './alignment.ts';
export {
  type AlignUniformProtocol,
  type AlignUniformResult,
  alignmentUniformityFromSts,
  alignmentUniformityFromViews,
  type StsAlignUniformOptions,
  type ViewsAlignUniformOptions,
} from './alignUniform.ts';
export { accuracy, macroF1 } from './classification.ts';
export { averageRanks, pearson, spearman } from './correlation.ts';
export { cosineMatrix } from './cosineMatrix.ts';
export { type LexicalBaselines, lexicalBaselines, lexicalTokens } from './lexical.ts';
export { uniformity } from './uniformity.ts';
