export type { EventObject, MachineState, Emitted, StepResult, Stepper } from './types.js';
export { compileMachine, UnsupportedMachineError, EFFECT_VARIANT, PAIRED_EFFECT, PERFORMS_PARAMS, RETURNS_FULL_CONTEXT } from './compile.js';
export type { EffectVariantFn, PairedEffect } from './compile.js';
export { referenceStepper } from './reference.js';
