/**
 * Seeded randomness for the emulator. Everything the emulator generates (ids, text, timings,
 * probabilistic faults) comes from these functions so that a run is a pure function of
 * (request, seed) and a failing test can be replayed exactly.
 */

/** 32-bit FNV-1a hash of a string. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A small, fast PRNG (mulberry32) returning floats in [0, 1). */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max] inclusive. */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** An opaque-looking lowercase id of `length` characters. */
export function randomToken(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(rng() * ALPHABET.length)];
  return out;
}

/** A deterministic base64 blob, used for thought signatures. */
export function fakeSignature(rng: Rng, bytes = 48): string {
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = Math.floor(rng() * 256);
  return buf.toString('base64');
}
