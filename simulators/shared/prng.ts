/**
 * Seedable pseudo-random number generator for the simulators' fault injection.
 *
 * mulberry32: tiny, fast, good enough statistical quality for "fail about 30 % of requests".
 * Not cryptographic, never used for identifiers that must be unique.
 */
export type Prng = () => number;

/** FNV-1a 32-bit hash, so any string (env SIM_SEED) can seed the generator. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Returns a generator of floats in [0, 1). The same seed always yields the same sequence. */
export function createPrng(seed: string | number): Prng {
  let a = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
