// Stopping a test's helper process: SIGTERM, then SIGKILL if it has not exited within the grace period.
import type { ChildProcess } from 'node:child_process'

/**
 * Call right after spawning, so an exit before stop() is still seen. The returned stop() resolves
 * once the child has exited, and does nothing if it already had.
 */
export function childStopper(child: ChildProcess, graceMs = 10_000): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}
