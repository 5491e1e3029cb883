// A child process that reports in JSON lines on stdout (the *-cli.ts helpers): waits for a line
// that matches, keeps every line seen, stops the child by closing its stdin, then by signal.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { childStopper } from './child-stopper'
import { REPO_ROOT } from './seeder-process'

export interface JsonLinesChild<T> {
  child: ChildProcess
  /** Every line read so far, parsed. */
  readonly lines: T[]
  /** The first line (already read or to come) for which `match` is true. */
  next(match: (line: T) => boolean, timeoutMs: number, what: string): Promise<T>
  /** Closes its stdin (the polite way these helpers stop); SIGTERM, then SIGKILL, if it does not exit. */
  stop(): Promise<void>
}

/** `command` (already wrapped, e.g. in `ip netns exec NS`) whose stdout is JSON lines; stderr passes through. */
export function spawnJsonLines<T>(command: string[]): JsonLinesChild<T> {
  const child = spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines: T[] = []
  const waiters = new Set<() => void>()
  let exited = false
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as T)
    } catch {
      process.stderr.write(`[child] ${text}\n`)
    }
    for (const wake of waiters) wake()
  })
  child.once('exit', () => {
    exited = true
    for (const wake of waiters) wake()
  })
  const stopper = childStopper(child)
  return {
    child,
    lines,
    next(match, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match)
          if (found !== undefined) done(() => resolve(found))
          else if (exited) done(() => reject(new Error(`the child exited before: ${what}`)))
        }
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for: ${what}; lines: ${JSON.stringify(lines).slice(-2000)}`))), timeoutMs)
        const done = (settle: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          settle()
        }
        waiters.add(check)
        check()
      })
    },
    async stop() {
      if (exited) return
      child.stdin?.end()
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const timer = setTimeout(() => void stopper(), 10_000)
      await gone
      clearTimeout(timer)
    },
  }
}
