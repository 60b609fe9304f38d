export type { EventObject, MachineState, Emitted, StepResult, Stepper } from './types.js';
export { compileMachine, UnsupportedMachineError, PERFORMS_PARAMS, RETURNS_FULL_CONTEXT } from './compile.js';
export { referenceStepper } from './reference.js';
