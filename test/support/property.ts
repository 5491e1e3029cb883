/**
 * Settings for the property-based tests (fast-check) of the parsers that read strangers' bytes.
 * One fixed seed, so a run in CI is the run on a laptop; a failure prints its seed and path, and
 * `FUZZ_SEED=n FUZZ_RUNS=10000 npx vitest run --testTimeout=0 test/unit/<file>` explores further from another seed.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { AppError, type ErrorCode } from '../../src/protocol/errors'

export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 0x7e57ab1e)
/** Multiplies every property's run count (1 in CI: about 100-300 runs each). */
const FUZZ_SCALE = Math.max(1, Number(process.env['FUZZ_RUNS'] ?? 100) / 100)

/** fast-check parameters: the fixed seed, `numRuns` scaled by FUZZ_RUNS. */
export function runs(numRuns = 100): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.round(numRuns * FUZZ_SCALE) }
}

/** Longest message an error from a stranger's bytes may carry: it is shown to a person, in one line. */
export const MAX_MESSAGE_CHARS = 400

/** Fails unless `err` is an AppError with one of `codes` and a short message. */
export function expectAppError(err: unknown, codes: readonly ErrorCode[]): void {
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}${err instanceof Error ? `\n${err.stack}` : ''}`)
  expect(codes).toContain(err.code)
  expect(err.message.length).toBeGreaterThan(0)
  expect(err.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS)
  expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/)
}

/** Runs `parse` and, when it throws, checks that what it threw is an AppError with one of `codes`. */
export function parsesOrRefuses<T>(parse: () => T, codes: readonly ErrorCode[]): T | undefined {
  try {
    return parse()
  } catch (err) {
    expectAppError(err, codes)
    return undefined
  }
}

/** The async form of parsesOrRefuses. */
export async function parsesOrRefusesAsync<T>(parse: () => Promise<T>, codes: readonly ErrorCode[]): Promise<T | undefined> {
  try {
    return await parse()
  } catch (err) {
    expectAppError(err, codes)
    return undefined
  }
}

/** `bytes` cut into consecutive chunks whose sizes cycle through `sizes` (each at least 1). */
export function chunked(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = Math.max(1, sizes.length ? sizes[k % sizes.length]! : bytes.length)
    out.push(bytes.slice(at, at + n))
    at += n
  }
  return out
}

/** Chunk sizes for `chunked`: mostly tiny (1-byte reads find most state-machine bugs), some large. */
export const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 700 })), { minLength: 1, maxLength: 12 })

/** Bytes drawn mostly from `alphabet` (the syntax of a format), sometimes any byte. */
export function syntaxBytes(alphabet: string, opts: { maxLength?: number } = {}): fc.Arbitrary<Uint8Array> {
  const codes = [...alphabet].map((c) => c.charCodeAt(0))
  const byte = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...codes) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) })
  return fc.array(byte, { maxLength: opts.maxLength ?? 64 }).map((a) => Uint8Array.from(a))
}
