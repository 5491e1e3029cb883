// Runs seeder-cli.ts as a child process and hands back what it printed. Imports nothing from
// webtorrent or wrtc, so a Playwright test (or any process) can use it without loading them.
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { childStopper } from './child-stopper'
import type { SwarmInfo } from './swarm'

const HERE = dirname(fileURLToPath(import.meta.url))
export const SEEDER_CLI = join(HERE, 'seeder-cli.ts')
/** The repository root (where node_modules/tsx lives). */
export const REPO_ROOT = resolve(HERE, '..', '..')

export interface SeederProcessOptions {
  dir?: string
  name?: string
  sizeMiB?: number
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
  return args
}

export function spawnSeeder(opts: SeederProcessOptions = {}): Promise<SeederProcess> {
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
        const info = JSON.parse(line) as SwarmInfo & { torrentFile: string }
        resolvePromise({
          info,
          torrentFile: new Uint8Array(Buffer.from(info.torrentFile, 'base64')),
          child,
          pid: child.pid!,
          stop,
        })
      } catch (err) {
        void stop()
        reject(new Error(`seeder-cli printed something that is not JSON: ${line.slice(0, 200)} (${String(err)})`))
      }
    })
  })
}
