/**
 * Exponential backoff with jitter, pure: the delay before attempt `failures + 1`. Used for the
 * bridge reconnect and for peers that fail to connect. `random` is injectable for tests.
 */
export interface BackoffOptions {
  minMs: number
  maxMs: number
  /** 0..1: how much of the delay is randomised (so many clients do not retry in step). */
  jitter?: number
}

export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number = Math.random): number {
  if (failures <= 0) return 0
  const base = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(failures - 1, 30))
  const jitter = opts.jitter ?? 0.2
  return Math.round(base * (1 - jitter + jitter * random()))
}
