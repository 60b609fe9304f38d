/**
 * Properties checked on object states, as each strategy discovers them: 'always' properties in order (the first
 * violated one is reported), 'sometimes' properties until each has a witness (then they cost nothing more).
 */
import type { Property } from './model.js';

export class PropertyChecks<S> {
  private readonly always: readonly Property<S>[];
  private pending: Property<S>[];
  readonly witnessIds = new Map<string, number>();
  failed: { id: number; property: string; message: string } | undefined;

  constructor(properties: readonly Property<S>[]) {
    this.always = properties.filter((p) => p.kind === 'always');
    this.pending = properties.filter((p) => p.kind === 'sometimes');
  }

  /** Check state `s` (id `id`); false when an 'always' property is violated (recorded in `failed`). */
  check(s: S, id: number): boolean {
    const always = this.always;
    for (let i = 0; i < always.length; i++) {
      const why = always[i]!.check(s);
      if (why !== undefined) {
        this.failed = { id, property: always[i]!.name, message: why };
        return false;
      }
    }
    const pending = this.pending;
    if (pending.length > 0) {
      let hit = false;
      for (let i = 0; i < pending.length; i++) {
        if (pending[i]!.check(s) === undefined) {
          this.witnessIds.set(pending[i]!.name, id);
          hit = true;
        }
      }
      if (hit) this.pending = pending.filter((p) => !this.witnessIds.has(p.name));
    }
    return true;
  }
}

/** Results are reported by name, so two properties with one name would shadow each other. */
export function checkPropertyNames(properties: readonly Property<unknown>[]): void {
  const names = new Set<string>();
  for (const p of properties) {
    if (names.has(p.name)) throw new RangeError(`search: two properties are named '${p.name}'`);
    names.add(p.name);
  }
}
