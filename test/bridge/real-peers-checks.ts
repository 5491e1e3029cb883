// What the real-peer bridge tests check and report about a transfer: every file byte-exact, and
// how fast it went (printed for people, never asserted).
import { join } from 'node:path'
import { expect } from 'vitest'
import { sha256File } from '../support/fixtures'

/** Every file under `root` (a torrent's folder) has the SHA-256 of the fixture it came from. */
export async function expectSameFiles(sha256: Map<string, string>, root: string): Promise<void> {
  for (const [path, hash] of sha256) expect(await sha256File(join(root, ...path.split('/'))), path).toBe(hash)
}

/** Logs `what: N MiB in S s (R MB/s)` for `bytes` moved since `t0`. */
export function logThroughput(what: string, mib: number, bytes: number, t0: number): void {
  const secs = (Date.now() - t0) / 1000
  console.log(`${what}: ${mib} MiB in ${secs.toFixed(1)} s (${(bytes / secs / 1e6).toFixed(1)} MB/s)`)
}
