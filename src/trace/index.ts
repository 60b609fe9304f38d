export { INIT_LABEL, printable, type MicroMessage, type PrintableTrace, type TraceStep } from './types.js';
export { ABSENT, deepEqual, differences, formatValue, type Difference } from './values.js';
export { formatTextTrace, type TextOptions } from './text.js';
export {
  ACTION_VAR,
  ITF_FORMAT_DESCRIPTION,
  ItfError,
  decodeItfValue,
  encodeItfValue,
  formatItf,
  layoutItf,
  parseItf,
  toItf,
  type ItfMeta,
  type ItfOptions,
  type ItfState,
  type ItfTrace,
  type ItfValue,
  type ParsedItf,
} from './itf.js';
export { toMermaid, type MermaidOptions } from './mermaid.js';
export { replay, replayTrace, type ReplayResult } from './replay.js';
