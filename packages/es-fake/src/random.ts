/** A small deterministic PRNG (mulberry32) so ids and fault rates are reproducible when seeded. */
export class SeededRandom {
  #state: number;

  constructor(seed: number = (Date.now() ^ (process.pid << 16)) >>> 0) {
    this.#state = seed >>> 0;
  }

  /** Next float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A base64url string of `length` characters (ES uses 20 for document ids, 22 for uuids). */
  id(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * 64)] ?? 'A';
    return out;
  }
}
