// Weighted round robin, precomputed. For a set with weights w, `slots` orders are built so that
// value i comes first in round(slots * w_i / sum w) of them (largest remainder), the rest of each
// order drawn by weighted sampling without replacement. Picking an order uniformly at random then
// gives each value a first-position share equal to its weight share (to 1/slots), at O(1) per query.
// Weight 0 values come last; when every weight is 0 they share equally.

/** A small deterministic PRNG (mulberry32) so a zone compiles to the same rotations every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function weightedRotations(weights: number[], slots: number, seed: number): number[][] {
  const effective = weights.every((w) => w === 0) ? weights.map(() => 1) : weights;
  const total = effective.reduce((a, b) => a + b, 0);
  const random = seededRandom(seed ^ 0x9e3779b9);
  // first positions: largest-remainder apportionment of `slots` by weight
  const exact = effective.map((w) => (slots * w) / total);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, remainder: x - Math.floor(x) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0, left = slots - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[(order[k % order.length] as { i: number }).i]! += 1;
  const firsts: number[] = [];
  counts.forEach((count, i) => {
    for (let k = 0; k < count; k++) firsts.push(i);
  });
  return firsts.map((first) => [first, ...weightedOrder(effective, random, first)]);
}

/** The indexes other than `skip`, in weighted-random order (sequential sampling without replacement). */
function weightedOrder(weights: number[], random: () => number, skip: number): number[] {
  const left = weights.map((w, i) => ({ w, i })).filter((x) => x.i !== skip);
  const result: number[] = [];
  while (left.length > 0) {
    const positive = left.filter((x) => x.w > 0);
    const pool = positive.length > 0 ? positive : left;
    const total = pool.reduce((a, x) => a + (positive.length > 0 ? x.w : 1), 0);
    let pick = random() * total;
    let chosen = pool[pool.length - 1] as { w: number; i: number };
    for (const x of pool) {
      pick -= positive.length > 0 ? x.w : 1;
      if (pick < 0) {
        chosen = x;
        break;
      }
    }
    result.push(chosen.i);
    left.splice(left.indexOf(chosen), 1);
  }
  return result;
}
