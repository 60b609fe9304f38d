/**
 * A `Model` made from a packed model alone, for models written directly in packed form (benchmarks, tests): a state
 * is its array of field values, an action the index of an enabled action, and `next` runs `expand` on the one state
 * and takes the successor of that action. The packed model must write every enabled action's successor (self-loops
 * included), so that the enabled actions are the ones it writes.
 */
import { ModelError, type Model, type Property } from '../model.js';
import { Layout } from './layout.js';
import { MISS, Successors, type PackedModel, type WorkerModel } from './model.js';

export type Fields = readonly number[];
/** An action of an adapted model: its index among the state's enabled actions, and its label. */
export interface PackedAction {
  readonly index: number;
  readonly label: string;
}

export interface PackedSpec {
  readonly model: PackedModel;
  readonly initial: readonly Fields[];
  /** The packed model's properties, in the order `check` and `witness` index them. */
  readonly properties: readonly { readonly name: string; readonly description: string; readonly kind: 'always' | 'sometimes' }[];
  /** A label for action `action` of state `s`. */
  label(s: Fields, action: number): string;
  /** Named variables for traces (default: `f0`, `f1`, …). */
  vars?(s: Fields): Readonly<Record<string, unknown>>;
  readonly worker?: WorkerModel;
}

export interface AdaptedModel {
  readonly model: Model<Fields, PackedAction>;
  /** The properties, deciding on objects exactly as the packed model does (first violated 'always' property first). */
  readonly properties: readonly Property<Fields>[];
}

export function fromPacked(spec: PackedSpec): AdaptedModel {
  const pm = spec.model;
  const layout = Layout.wide(pm.fields);
  const key = new Int32Array(layout.words);
  const out = new Successors();
  const encode = (s: Fields): Int32Array => {
    layout.encode(s, key, 0);
    return key;
  };
  const successors = (s: Fields): Successors => {
    out.reset(layout.words);
    const n = pm.expand(encode(s), 0, layout, out);
    if (n === MISS) throw new Error('fromPacked: the packed model missed');
    if (out.error < 0 && n !== out.count) throw new Error('fromPacked: the packed model must write every enabled action');
    return out;
  };
  const properties: Property<Fields>[] = spec.properties.map((p, i) => ({
    name: p.name,
    description: p.description,
    kind: p.kind,
    check: (s: Fields) => {
      if (p.kind === 'always') return pm.check(encode(s), 0, layout) === i ? `${p.name} violated` : undefined;
      return pm.witness(encode(s), 0, layout, i) === 1 ? undefined : 'not witnessed';
    },
  }));
  const model: Model<Fields, PackedAction> = {
    initial: () => spec.initial,
    actions(s) {
      const o = successors(s);
      const n = o.error >= 0 ? o.error + 1 : o.count;
      return Array.from({ length: n }, (_, i) => ({ index: i, label: spec.label(s, i) }));
    },
    next(s, { index: a }) {
      const o = successors(s);
      if (o.error === a) throw new ModelError(`action ${a} failed`);
      for (let j = 0; j < o.count; j++) {
        if (o.actions[j] === a) {
          const f = new Array<number>(pm.fields);
          layout.decode(o.keys, j * layout.words, f);
          return f;
        }
      }
      throw new Error(`fromPacked: action ${a} is not enabled`);
    },
    key: (s) => s.join(','),
    label: (a) => a.label,
    vars: (s) => spec.vars?.(s) ?? Object.fromEntries(s.map((v, f) => [`f${f}`, v])),
    packed(given) {
      // The packed model's indices are positions in spec.properties: usable when the search checks exactly those.
      if (given.length !== properties.length || given.some((p, i) => p !== properties[i])) return undefined;
      return { model: pm, fieldsOf: (s, o) => o.set(s), ...(spec.worker !== undefined ? { worker: spec.worker } : {}) };
    },
  };
  return { model, properties };
}
