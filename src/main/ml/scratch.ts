// Reusable typed arrays for intermediates that never outlive one synchronous call: a prediction part's
// transformed rows, their per-regime copies and their contributions. Touching freshly allocated memory
// costs about 2 ms per MB on the 2-core machine we measure on (page faults and zeroing: a new 1.85 MB
// Float64Array took 3.7 ms, a reused one 0.06 ms to clear), more than the arithmetic done on it, and
// the allocator returns large freed blocks to the system, so a worker scoring part after part paid
// that on every part.

/** Arrays kept per key; each is valid until the next request for the same key. */
export class ScratchArrays {
  private readonly f64s = new Map<string, Float64Array<ArrayBuffer>>();

  /** Arrays over maxRetainedBytes are handed out fresh and not kept (a huge part must not pin memory). */
  constructor(private readonly maxRetainedBytes = 16 * 1024 * 1024) {}

  /** `length` doubles for `key`: zeroed if asked, otherwise holding whatever the last user left. */
  f64(key: string, length: number, zero = false): Float64Array<ArrayBuffer> {
    const kept = this.f64s.get(key);
    if (kept && kept.length >= length) {
      const view = kept.length === length ? kept : kept.subarray(0, length);
      if (zero) view.fill(0);
      return view;
    }
    const fresh = new Float64Array(length);
    if (length * 8 <= this.maxRetainedBytes) this.f64s.set(key, fresh);
    return fresh;
  }
}
