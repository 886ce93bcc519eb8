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

/**
 * The indexes other than `skip`, in weighted-random order: the order sequential weighted sampling
 * without replacement gives, drawn in one pass (Efraimidis and Spirakis 2006: each index gets the key
 * u^(1/w) for a uniform u, larger keys first; compared as ln(u)/w). O(n log n) per order instead of
 * O(n^2): a zone of 10,000 hosts in pools of 20 compiles its 256 orders per weighted set in a blink.
 * Weight 0 comes after every positive weight, in uniform random order.
 */
function weightedOrder(weights: number[], random: () => number, skip: number): number[] {
  const keys = new Float64Array(weights.length);
  const positive: number[] = [];
  const zero: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    if (i === skip) continue;
    const w = weights[i] as number;
    const u = random();
    if (w > 0) {
      keys[i] = Math.log(u) / w;
      positive.push(i);
    } else {
      keys[i] = u;
      zero.push(i);
    }
  }
  const byKey = (a: number, b: number) => (keys[b] as number) - (keys[a] as number) || a - b;
  positive.sort(byKey);
  if (zero.length === 0) return positive;
  zero.sort(byKey);
  for (const i of zero) positive.push(i);
  return positive;
}
