/**
 * The breadth-first searches on packed states (bfs.ts for safety, graph.ts for liveness) number states in the
 * order they find them, so their queue is the ids from `head` up and the queued keys sit in a ring indexed by id.
 */

/** A ring of twice the slots holding the same keys: those of ids `head` to `upTo` (exclusive), `words` words each. */
export function doubledRing(ring: Int32Array, mask: number, words: number, head: number, upTo: number): { ring: Int32Array<ArrayBuffer>; mask: number } {
  const grown = mask * 2 + 1;
  const next = new Int32Array((grown + 1) * words);
  for (let id = head; id < upTo; id++) {
    const from = (id & mask) * words;
    const to = (id & grown) * words;
    for (let k = 0; k < words; k++) next[to + k] = ring[from + k]!;
  }
  return { ring: next, mask: grown };
}
