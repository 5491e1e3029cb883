import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { spawnDaemon, type Daemon } from './peers/process'

const REPO = resolve(fileURLToPath(import.meta.url), '..', '..', '..')
/** The compiled server, as `npm start` runs it (scripts/start.mjs imports this same file). */
export const SERVER_COMMAND = ['dist-server/main.js']

let built = false

/** Compiles the server when its sources changed since the last build (scripts/build-server.mjs). */
export function buildServerIfStale(): void {
  if (built) return
  const build = spawnSync(process.execPath, ['scripts/build-server.mjs', '--if-stale'], { cwd: REPO, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('building the server (scripts/build-server.mjs) failed')
  built = true
}

/**
 * The server (app + bridge) as its own process, run the way `npm start` runs it, so that
 * /proc/PID/status is the bridge's own. Resolves once it printed its URL and its peer port.
 */
export async function spawnServerProcess(args: string[], timeoutMs = 30_000, nodeFlags: string[] = []): Promise<{ daemon: Daemon; url: string; peerPort: number }> {
  buildServerIfStale()
  const daemon = spawnDaemon(process.execPath, [...nodeFlags, ...SERVER_COMMAND, ...args], { name: 'bridge', cwd: REPO })
  const lines = createInterface({ input: daemon.child.stdout! })
  let url = ''
  let peerPort = 0
  await new Promise<void>((resolveUp, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${daemon.output()}`)), timeoutMs)
    void daemon.exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`the server exited before it started:\n${daemon.output()}`))
    })
    lines.on('line', (line) => {
      url ||= /open (http\S+)/.exec(line)?.[1] ?? ''
      peerPort ||= Number(/TCP port (\d+)/.exec(line)?.[1] ?? 0)
      if (url && peerPort) {
        clearTimeout(timer)
        resolveUp()
      }
    })
  })
  return { daemon, url, peerPort }
}
