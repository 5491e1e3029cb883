import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { spawnDaemon, type Daemon } from './peers/process'

const REPO = resolve(fileURLToPath(import.meta.url), '..', '..', '..')

/**
 * The server (app + bridge) as its own process, run the way `npm start` runs it, so that
 * /proc/PID/status is the bridge's own. Resolves once it printed its URL and its peer port.
 */
export async function spawnServerProcess(args: string[], timeoutMs = 30_000): Promise<{ daemon: Daemon; url: string; peerPort: number }> {
  const daemon = spawnDaemon(process.execPath, ['--import', 'tsx', 'bridge/main.ts', ...args], { name: 'bridge', cwd: REPO })
  const lines = createInterface({ input: daemon.child.stdout! })
  let url = ''
  let peerPort = 0
  await new Promise<void>((resolveUp, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${daemon.output()}`)), timeoutMs)
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
