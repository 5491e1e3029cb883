// transmission-daemon 3.00 as a real seeder on loopback: foreground (-f), a throwaway config dir,
// RPC without auth on a free port, torrents added with transmission-remote.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findFreePort, makeTempDir, pollUntil, runCommand, sleep, spawnDaemon, type Daemon, type TempDir } from './process'

export interface TransmissionOptions {
  /** TCP listen port for peers. Default: a free one. */
  peerPort?: number
  /** RPC port. Default: a free one. */
  rpcPort?: number
  /**
   * Address to bind (peers and outgoing). Default 127.0.0.1.
   * TRAP (ENVIRONMENT.md): bound to 0.0.0.0, transmission 3.00 could not reach a tracker on
   * 127.0.0.1 ("Could not connect to tracker"); bound to 127.0.0.1 it works.
   */
  bindAddress?: string
  dht?: boolean
  pex?: boolean
  /**
   * 0 = prefer plaintext (accepts both), 1 = prefer encrypted (transmission's default),
   * 2 = require encrypted. Default 0 (the bridge dials with MSE and RC4 even so: transmission takes it).
   */
  encryption?: 0 | 1 | 2
  /**
   * Upload limit in KB/s; undefined = unlimited.
   * NOTE (measured here): even unlimited, transmission 3.00 uploads to one loopback peer at only
   * 1.3-2.3 MB/s (webtorrent direct over TCP 1.3 MB/s, through the bridge 2.3 MB/s; aria2c 3-4
   * MiB/s in ENVIRONMENT.md); cache size made no difference. Size its test data accordingly.
   */
  uploadLimitKBps?: number
}

export interface TransmissionTorrent {
  id: number
  percentDone: string
  state: string
  raw: string
}

export interface Transmission {
  daemon: Daemon
  pid: number
  peerPort: number
  rpcPort: number
  /** 127.0.0.1:RPCPORT, the first argument of transmission-remote. */
  rpc: string
  configDir: string
  /** Adds a .torrent whose data is already in `downloadDir` (the folder holding the torrent's root). Returns its id. */
  addTorrent(torrent: Uint8Array, downloadDir: string): Promise<number>
  /** `transmission-remote -t ID -i`, parsed. */
  torrentInfo(id: number): Promise<TransmissionTorrent>
  /**
   * Resolves once the torrent is 100% and Idle or Seeding, plus `settleMs` (default 3 s).
   * TRAP (ENVIRONMENT.md): handshakes that arrive right after the check are left unanswered and
   * the leecher stalls; a few seconds after "Seeding" they are answered.
   */
  waitSeeding(id: number, timeoutMs?: number, settleMs?: number): Promise<TransmissionTorrent>
  /** addTorrent, then waitSeeding. */
  seed(torrent: Uint8Array, downloadDir: string, timeoutMs?: number): Promise<TransmissionTorrent>
  remote(...args: string[]): Promise<string>
  stop(): Promise<void>
}

export async function startTransmission(opts: TransmissionOptions = {}): Promise<Transmission> {
  const peerPort = opts.peerPort ?? (await findFreePort())
  const rpcPort = opts.rpcPort ?? (await findFreePort())
  const bind = opts.bindAddress ?? '127.0.0.1'
  const config: TempDir = await makeTempDir('transmission-')
  const settings = {
    'bind-address-ipv4': bind,
    'bind-address-ipv6': '::1',
    'peer-port': peerPort,
    'peer-port-random-on-start': false,
    'port-forwarding-enabled': false,
    'dht-enabled': opts.dht ?? false,
    'lpd-enabled': false,
    'pex-enabled': opts.pex ?? false,
    'utp-enabled': false,
    encryption: opts.encryption ?? 0,
    'rpc-enabled': true,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': rpcPort,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': false,
    'rpc-host-whitelist-enabled': false,
    'download-dir': join(config.dir, 'downloads'),
    'incomplete-dir-enabled': false,
    'watch-dir-enabled': false,
    'start-added-torrents': true,
    'download-queue-enabled': false,
    'seed-queue-enabled': false,
    'queue-stalled-enabled': false,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'speed-limit-up-enabled': opts.uploadLimitKBps !== undefined,
    'speed-limit-up': opts.uploadLimitKBps ?? 0,
    'speed-limit-down-enabled': false,
    'alt-speed-enabled': false,
    'blocklist-enabled': false,
    'peer-limit-global': 200,
    'peer-limit-per-torrent': 50,
    'message-level': 2,
    'cache-size-mb': 16,
    'umask': 18,
  }
  await writeFile(join(config.dir, 'settings.json'), JSON.stringify(settings, null, 2))
  // -f: foreground, so the PID we hold is the daemon's; -e /dev/stderr: its log lands in our tail
  const daemon = spawnDaemon('transmission-daemon', ['-f', '-g', config.dir, '--logfile', '/dev/stderr'], { name: 'transmission-daemon' })
  const rpc = `127.0.0.1:${rpcPort}`
  const remote = async (...args: string[]) => (await runCommand('transmission-remote', [rpc, ...args], { timeoutMs: 20_000 })).stdout

  const stop = async () => {
    await daemon.stop(10_000)
    await config.remove()
  }
  try {
    await pollUntil(async () => (await remote('-si')).includes('VERSION'), { timeoutMs: 20_000, what: 'the transmission RPC', daemon })
  } catch (err) {
    await stop()
    throw err
  }

  const torrentInfo = async (id: number): Promise<TransmissionTorrent> => {
    const raw = await remote('-t', String(id), '-i')
    return {
      id,
      percentDone: /Percent Done:\s*(\S+)/.exec(raw)?.[1] ?? '',
      state: /State:\s*(.+)/.exec(raw)?.[1]?.trim() ?? '',
      raw,
    }
  }
  const addTorrent = async (torrent: Uint8Array, downloadDir: string) => {
    const file = join(config.dir, `add-${Date.now()}-${Math.random().toString(16).slice(2)}.torrent`)
    await writeFile(file, torrent)
    const out = await remote('-a', file, '-w', downloadDir)
    if (!/success/.test(out)) throw new Error(`transmission-remote -a: ${out}`)
    // the id: the newest torrent in the list
    const list = await remote('-l')
    const ids = [...list.matchAll(/^\s*(\d+)\*?\s/gm)].map((m) => Number(m[1]))
    if (!ids.length) throw new Error(`transmission-remote -l lists no torrent:\n${list}`)
    return Math.max(...ids)
  }
  const waitSeeding = async (id: number, timeoutMs = 60_000, settleMs = 3000) => {
    const t = await pollUntil(async () => {
      const t = await torrentInfo(id)
      const error = /^\s*Error:.*$/m.exec(t.raw)
      if (error) throw new Error(`transmission: ${error[0].trim()}`)
      return t.percentDone === '100%' && /^(Idle|Seeding)$/.test(t.state) ? t : undefined
    }, { timeoutMs, intervalMs: 300, what: `transmission torrent ${id} seeding`, daemon })
    await sleep(settleMs)
    return t
  }
  return {
    daemon,
    pid: daemon.pid,
    peerPort,
    rpcPort,
    rpc,
    configDir: config.dir,
    addTorrent,
    torrentInfo,
    waitSeeding,
    async seed(torrent, downloadDir, timeoutMs) {
      return waitSeeding(await addTorrent(torrent, downloadDir), timeoutMs)
    },
    remote,
    stop,
  }
}
