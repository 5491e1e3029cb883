// aria2c 1.36 as a real seeder (checks the data with -V, then seeds for ever) or as a real leecher
// (downloads a .torrent or magnet into a folder and resolves when done). Each run is one aria2c
// process with its JSON-RPC on a free loopback port, used to follow its progress.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findFreePort, makeTempDir, pollUntil, spawnDaemon, type Daemon, type TempDir } from './process'

export interface Aria2DhtOptions {
  /** host:port of the DHT entry point (e.g. the bootstrap node of dht-bootstrap.ts). */
  entryPoint: string
  /** UDP port of aria2's DHT. Default: a free one. TRAP: aria2's DHT socket binds 0.0.0.0 whatever --interface says. */
  listenPort?: number
}

export interface Aria2Options {
  /** A .torrent's bytes, or a magnet URI. */
  torrent: Uint8Array | string
  /** Seeding: the folder holding the torrent's root (data already there). Leeching: where to download. */
  dir: string
  mode: 'seed' | 'leech'
  /** TCP listen port for peers. Default: a free one. */
  listenPort?: number
  /**
   * Bind to this address (--interface). Default: none.
   * TRAP (ENVIRONMENT.md): aria2c bound with --interface=127.0.0.N never reached a transmission
   * bound to 127.0.0.1; without --interface it did.
   */
  interface?: string
  /**
   * Extra trackers (--bt-tracker). HTTP only unless DHT is on: TRAP, aria2 speaks UDP trackers
   * only with its DHT enabled ("udp is not supported yet" otherwise).
   */
  trackers?: string[]
  /** DHT on, joined through the given entry point. Default off. */
  dht?: Aria2DhtOptions
  /** Max overall upload / download in bytes/s; 0 = unlimited (default). */
  uploadLimit?: number
  downloadLimit?: number
  /**
   * Protocol encryption: 'allow-plain' (default) takes MSE or plaintext; 'require-arc4' takes only
   * MSE with RC4 (--bt-require-crypto --bt-min-crypto-level=arc4), both ways.
   */
  crypto?: 'allow-plain' | 'require-arc4'
  /** Extra command-line flags. */
  extraArgs?: string[]
}

export interface Aria2Status {
  gid: string
  status: string
  totalLength: number
  completedLength: number
  uploadLength: number
  downloadSpeed: number
  connections: number
  seeder: boolean
  errorMessage?: string
}

export interface Aria2 {
  daemon: Daemon
  pid: number
  listenPort: number
  rpcPort: number
  dhtPort: number | null
  /** The one download's status (null before aria2 lists it). */
  status(): Promise<Aria2Status | null>
  /** Seed mode: resolves once the data is checked and aria2 seeds (-V passed). */
  waitSeeding(timeoutMs?: number): Promise<Aria2Status>
  /** Leech mode: resolves once the download is complete; rejects if aria2 reports an error. */
  waitComplete(timeoutMs?: number): Promise<Aria2Status>
  stop(): Promise<void>
}

interface RawStatus {
  gid: string
  status: string
  totalLength: string
  completedLength: string
  uploadLength: string
  downloadSpeed: string
  connections: string
  seeder?: string
  errorMessage?: string
  followedBy?: string[]
}

export async function startAria2(opts: Aria2Options): Promise<Aria2> {
  const listenPort = opts.listenPort ?? (await findFreePort())
  const rpcPort = await findFreePort()
  const dhtPort = opts.dht ? opts.dht.listenPort ?? (await findFreePort()) : null
  const work: TempDir = await makeTempDir('aria2-')
  let input: string
  if (typeof opts.torrent === 'string') {
    input = opts.torrent
  } else {
    input = join(work.dir, 'input.torrent')
    await writeFile(input, opts.torrent)
  }
  const args = [
    '--no-conf=true',
    '--enable-rpc=true', `--rpc-listen-port=${rpcPort}`, '--rpc-listen-all=false',
    // if the test process dies without its afterAll, aria2 goes with it
    `--stop-with-process=${process.pid}`,
    `--dir=${opts.dir}`,
    `--listen-port=${listenPort}`,
    '--disable-ipv6=true',
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    '--file-allocation=none',
    '--allow-overwrite=true',
    '--auto-file-renaming=false',
    '--bt-save-metadata=false',
    '--bt-load-saved-metadata=false',
    '--follow-torrent=mem',
    '--summary-interval=0',
    '--console-log-level=warn',
    '--enable-dht6=false',
    // On outgoing connections aria2 always starts with an MSE (encrypted) handshake; with plaintext
    // allowed it retries with a legacy handshake ~1 s later when the peer hangs up (as the bridge's
    // peer port did before it spoke MSE). No aria2 option turns the MSE attempt off.
    ...(opts.crypto === 'require-arc4'
      ? ['--bt-require-crypto=true', '--bt-min-crypto-level=arc4']
      : ['--bt-require-crypto=false', '--bt-min-crypto-level=plain']),
    `--max-overall-upload-limit=${opts.uploadLimit ?? 0}`,
    `--max-overall-download-limit=${opts.downloadLimit ?? 0}`,
    ...(opts.interface ? [`--interface=${opts.interface}`] : []),
    ...(opts.trackers?.length ? [`--bt-tracker=${opts.trackers.join(',')}`] : []),
    ...(opts.dht
      ? ['--enable-dht=true', `--dht-entry-point=${opts.dht.entryPoint}`, `--dht-listen-port=${dhtPort}`, `--dht-file-path=${join(work.dir, 'dht.dat')}`]
      : ['--enable-dht=false']),
    ...(opts.mode === 'seed'
      // -V: hash the data that is there; seed-ratio 0.0 with no seed-time: seed until stopped
      ? ['--check-integrity=true', '--bt-hash-check-seed=true', '--seed-ratio=0.0']
      // leech: stop seeding at once when done (the RPC server keeps the process up until stop())
      : ['--seed-time=0', '--bt-stop-timeout=0']),
    ...(opts.extraArgs ?? []),
    input,
  ]
  const daemon = spawnDaemon('aria2c', args, { name: 'aria2c' })

  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${rpcPort}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: '1', method, params }),
    })
    const body = (await res.json()) as { result?: T; error?: { message: string } }
    if (body.error) throw new Error(`aria2 ${method}: ${body.error.message}`)
    return body.result as T
  }
  const keys = ['gid', 'status', 'totalLength', 'completedLength', 'uploadLength', 'downloadSpeed', 'connections', 'seeder', 'errorMessage', 'followedBy']
  const status = async (): Promise<Aria2Status | null> => {
    const all = [
      ...(await rpc<RawStatus[]>('aria2.tellActive', [keys])),
      ...(await rpc<RawStatus[]>('aria2.tellWaiting', [0, 100, keys])),
      ...(await rpc<RawStatus[]>('aria2.tellStopped', [0, 100, keys])),
    ]
    // a magnet is a metadata download "followed by" the real one: report the real one when it exists
    const s = all.find((x) => !x.followedBy?.length) ?? all[0]
    if (!s) return null
    return {
      gid: s.gid,
      status: s.status,
      totalLength: Number(s.totalLength),
      completedLength: Number(s.completedLength),
      uploadLength: Number(s.uploadLength),
      downloadSpeed: Number(s.downloadSpeed),
      connections: Number(s.connections),
      seeder: s.seeder === 'true',
      ...(s.errorMessage ? { errorMessage: s.errorMessage } : {}),
    }
  }
  const stop = async () => {
    await daemon.stop(5000)
    await work.remove()
  }
  try {
    await pollUntil(async () => (await rpc<{ version: string }>('aria2.getVersion')).version, { timeoutMs: 15_000, what: 'the aria2 RPC', daemon })
  } catch (err) {
    await stop()
    throw err
  }
  const fail = (s: Aria2Status | null) => {
    if (s && (s.status === 'error' || s.status === 'removed')) throw new FatalAria2Error(`aria2: download ${s.status}: ${s.errorMessage ?? ''}`)
  }
  return {
    daemon,
    pid: daemon.pid,
    listenPort,
    rpcPort,
    dhtPort,
    status,
    waitSeeding: (timeoutMs = 60_000) =>
      pollUntilFatal(async () => {
        const s = await status()
        fail(s)
        return s && s.status === 'active' && s.seeder && s.totalLength > 0 && s.completedLength === s.totalLength ? s : undefined
      }, { timeoutMs, what: 'aria2 seeding', daemon }),
    waitComplete: (timeoutMs = 60_000) =>
      pollUntilFatal(async () => {
        const s = await status()
        fail(s)
        return s && (s.status === 'complete' || (s.totalLength > 0 && s.completedLength === s.totalLength && s.seeder)) ? s : undefined
      }, { timeoutMs, what: 'aria2 download complete', daemon }),
    stop,
  }
}

class FatalAria2Error extends Error {}

/** pollUntil, but an error marked fatal ends the wait at once. */
async function pollUntilFatal<T>(check: () => Promise<T | undefined>, opts: { timeoutMs: number; what: string; daemon: Daemon }): Promise<T> {
  let fatal: Error | undefined
  try {
    return await pollUntil(async () => {
      try {
        return await check()
      } catch (err) {
        if (err instanceof FatalAria2Error) {
          fatal = err
          return true as unknown as T // stop polling
        }
        throw err
      }
    }, opts).then((v) => {
      if (fatal) throw fatal
      return v
    })
  } catch (err) {
    throw fatal ?? err
  }
}

/** aria2c seeding `torrent` from `dir` (the folder that holds its root); resolves once it seeds. */
export async function startAria2Seeder(opts: Omit<Aria2Options, 'mode'>, timeoutMs = 60_000): Promise<Aria2> {
  const a = await startAria2({ ...opts, mode: 'seed' })
  try {
    await a.waitSeeding(timeoutMs)
  } catch (err) {
    await a.stop()
    throw err
  }
  return a
}

/** aria2c downloading `torrent` into `dir`; call waitComplete() on the result. */
export function startAria2Leecher(opts: Omit<Aria2Options, 'mode'>): Promise<Aria2> {
  return startAria2({ ...opts, mode: 'leech' })
}
