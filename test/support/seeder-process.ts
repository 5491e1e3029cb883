// Runs seeder-cli.ts as a child process and hands back what it printed. Imports nothing from
// webtorrent or wrtc, so a Playwright test (or any process) can use it without loading them.
import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { childStopper } from './child-stopper'
import type { FixtureFile } from './fixtures'
import type { SwarmInfo } from './swarm'

const HERE = dirname(fileURLToPath(import.meta.url))
export const SEEDER_CLI = join(HERE, 'seeder-cli.ts')
/** The repository root (where node_modules/tsx lives). */
export const REPO_ROOT = resolve(HERE, '..', '..')

export interface SeederProcessOptions {
  dir?: string
  name?: string
  sizeMiB?: number
  /** A file layout of its own instead of multiFileFixture(sizeMiB). */
  files?: FixtureFile[]
  seed?: number
  trackers?: string[]
  trackerPort?: number
  announce?: ('ws' | 'http' | 'udp')[]
  pieceLength?: number
  webrtc?: boolean
  tcpPort?: number
  uploadLimit?: number
  /** See SeederOptions.initiate (default false). */
  initiate?: boolean
  /** Wait at most this long for the JSON line. Default 180 s (a 1 GiB fixture takes a few s to write and hash). */
  timeoutMs?: number
  /** Prefix the command (e.g. ['unshare', '-n', ...]); rarely wanted: it must share the browser's network. */
  wrapper?: string[]
}

export interface SeederProcess {
  info: SwarmInfo & { torrentFile: string }
  torrentFile: Uint8Array
  child: ChildProcess
  pid: number
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
  stop(): Promise<void>
}

export function seederCliArgs(o: SeederProcessOptions): string[] {
  const args: string[] = []
  const add = (flag: string, v: string | number | undefined) => {
    if (v !== undefined) args.push(`--${flag}`, String(v))
  }
  add('dir', o.dir)
  add('name', o.name)
  add('size-mib', o.sizeMiB)
  add('seed', o.seed)
  for (const t of o.trackers ?? []) add('tracker', t)
  add('tracker-port', o.trackerPort)
  add('announce', o.announce?.join(','))
  add('piece-length', o.pieceLength)
  if (o.webrtc === false) args.push('--no-webrtc')
  add('tcp-port', o.tcpPort)
  add('upload-limit', o.uploadLimit)
  if (o.initiate) args.push('--initiate')
  if (o.files) add('files', JSON.stringify(o.files))
  return args
}

/** Starts seeder-cli once; resolves with what it printed. */
function startOnce(opts: SeederProcessOptions): Promise<{ info: SeederProcess['info']; child: ChildProcess; stop: () => Promise<void> }> {
  // `node --import tsx` (not the tsx CLI, which forks a second node): one PID to stop.
  const command = [...(opts.wrapper ?? []), process.execPath, '--import', 'tsx', SEEDER_CLI, ...seederCliArgs(opts)]
  // stdin is a pipe on purpose: if this process dies, the child sees EOF and exits.
  const child = spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const stop = childStopper(child)
  return new Promise((resolvePromise, reject) => {
    const timeoutMs = opts.timeoutMs ?? 180_000
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`seeder-cli printed nothing within ${timeoutMs} ms`))
    }, timeoutMs)
    const lines = createInterface({ input: child.stdout! })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`seeder-cli exited early (code ${code}, signal ${signal})`))
    })
    lines.once('line', (line) => {
      clearTimeout(timer)
      try {
        resolvePromise({ info: JSON.parse(line) as SeederProcess['info'], child, stop })
      } catch (err) {
        void stop()
        reject(new Error(`seeder-cli printed something that is not JSON: ${line.slice(0, 200)} (${String(err)})`))
      }
    })
  })
}

const MAX_RESTARTS = 3

/**
 * Runs seeder-cli and keeps it running. TRAP: @roamhq/wrtc, the only WebRTC a Node test peer can
 * install offline, sometimes dies of SIGSEGV when the browser side of a data channel vanishes
 * (a page reload; node-webrtc/node-webrtc#391, never fixed). The tracker lives in that process
 * too, so the swarm would be gone. A crashed seeder is started again on the same folder, tracker
 * port and TCP port: the same torrent at the same addresses, as a real peer that restarts.
 */
export async function spawnSeeder(opts: SeederProcessOptions = {}): Promise<SeederProcess> {
  const first = await startOnce(opts)
  const { info } = first
  const again: SeederProcessOptions = {
    ...opts,
    dir: opts.dir ?? dirname(info.root),
    ...(info.trackerPort !== null ? { trackerPort: info.trackerPort } : {}),
    ...(info.tcpPort !== null ? { tcpPort: info.tcpPort } : {}),
  }
  let current = first
  let stopping = false
  let restarts = 0
  let restarting: Promise<void> | undefined
  const watch = (run: typeof first) => run.child.once('exit', (code, signal) => {
    if (stopping || signal !== 'SIGSEGV' || restarts >= MAX_RESTARTS) {
      if (!stopping) console.error(`[seeder-cli] exited (code ${code}, signal ${signal})`)
      return
    }
    restarts++
    console.error(`[seeder-cli] crashed (SIGSEGV, the @roamhq/wrtc bug); starting it again (${restarts}/${MAX_RESTARTS})`)
    restarting = startOnce(again).then((next) => {
      current = next
      if (stopping) return next.stop()
      watch(next)
    }, (err: unknown) => console.error('[seeder-cli] could not start again:', err))
  })
  watch(first)
  return {
    info,
    torrentFile: new Uint8Array(Buffer.from(info.torrentFile, 'base64')),
    get child() { return current.child },
    get pid() { return current.child.pid! },
    async stop() {
      stopping = true
      await restarting
      await current.stop()
      // A restarted seeder was given the first one's temporary folder, which it does not remove.
      if (restarts && !opts.dir) await rm(again.dir!, { recursive: true, force: true })
    },
  }
}
