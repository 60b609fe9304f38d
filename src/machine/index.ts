export type { EventObject, MachineState, Emitted, StepResult, Stepper } from './types.js';
export { compileMachine, UnsupportedMachineError } from './compile.js';
export { referenceStepper } from './reference.js';
