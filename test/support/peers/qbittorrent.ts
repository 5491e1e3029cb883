// qbittorrent-nox 4.5 (libtorrent 2.0) as a real seeder on loopback: a throwaway profile, the
// WebUI on a free port with no login for localhost, torrents added through the WebUI API.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findFreePort, makeTempDir, pollUntil, probeHandshake, spawnDaemon, type Daemon, type TempDir } from './process'

export interface QbittorrentOptions {
  /** TCP (and uTP) listen port for peers. Default: a free one. */
  listenPort?: number
  /** WebUI port. Default: a free one. */
  webUiPort?: number
  /**
   * DHT on. qBittorrent 4.5.2 has no setting for the DHT bootstrap nodes: it hard-codes
   * dht.libtorrent.org:25401, router.bittorrent.com:6881, ... (see the binary's strings), which
   * do not resolve on a loopback-only machine, so its DHT never joins a local swarm. Kept as an
   * option for completeness; use aria2 (aria2.ts) for DHT tests. Default false.
   */
  dht?: boolean
  /** PeX (ut_pex). Default false. */
  pex?: boolean
  /**
   * Protocol encryption: 0 = allow both (prefer encrypted), 1 = require (MSE only, both ways;
   * waitSeeding then probes with MSE), 2 = disable (plaintext only). Default 0.
   */
  encryption?: 0 | 1 | 2
  /** Upload limit in bytes/s; 0 = unlimited (default). */
  uploadLimit?: number
  /** Download limit in bytes/s (at least 1024); 0 = unlimited (default). */
  downloadLimit?: number
  /** Extra lines for the [BitTorrent] section (`Session\Key=value`). */
  extraSession?: string[]
  /**
   * The one address it takes peers on (and serves its WebUI on), of `interface`. Default
   * 127.0.0.1 on lo; '::1' on lo: a client reachable over IPv6 only.
   */
  address?: string
  /** The network interface it is bound to. Default 'lo'. */
  interface?: string
  /** Take peers on every address of `interface` (IPv4 and IPv6), not on `address` alone. Default false. */
  anyAddress?: boolean
  /** Local Service Discovery (BEP 14) on its interface. Default false. */
  lsd?: boolean
  /** A command prefix that runs it elsewhere, e.g. ['nsenter', '-t', PID, '-n'] in another network namespace. */
  wrapper?: string[]
}

export interface QbittorrentTorrentInfo {
  hash: string
  name: string
  state: string
  progress: number
  size: number
  save_path: string
  num_seeds: number
  num_leechs: number
  uploaded: number
  upspeed: number
}

/** One connected peer as the WebUI lists it; `flags` holds e.g. "X" for a peer learnt by PEX. */
export interface QbittorrentPeer {
  ip: string
  port: number
  flags: string
  client: string
  uploaded: number
  downloaded: number
}

export interface Qbittorrent {
  daemon: Daemon
  pid: number
  listenPort: number
  webUiPort: number
  /** http://ADDRESS:PORT */
  webUi: string
  /** The address it takes peers on. */
  address: string
  profileDir: string
  /** Adds a .torrent whose data is already in `savePath` (the folder holding the torrent's root), rechecked. */
  addTorrent(torrent: Uint8Array, savePath: string): Promise<void>
  /** Resolves once `infoHash` is fully checked and seeding; rejects on error or timeout. */
  waitSeeding(infoHash: string, timeoutMs?: number): Promise<QbittorrentTorrentInfo>
  /** `addTorrent` then `waitSeeding`. */
  seed(torrent: Uint8Array, infoHash: string, savePath: string, timeoutMs?: number): Promise<QbittorrentTorrentInfo>
  info(infoHash?: string): Promise<QbittorrentTorrentInfo[]>
  /** The peers `infoHash` is connected to now. */
  peers(infoHash: string): Promise<QbittorrentPeer[]>
  /** Stops the process by PID and removes the profile. */
  stop(): Promise<void>
}

/** States in which qBittorrent has the whole torrent checked and serves it. */
const SEEDING_STATES = new Set(['uploading', 'stalledUP', 'forcedUP', 'queuedUP'])
const ERROR_STATES = new Set(['error', 'missingFiles'])

function conf(o: Required<Pick<QbittorrentOptions, 'dht' | 'pex' | 'encryption' | 'uploadLimit' | 'downloadLimit' | 'address' | 'interface' | 'lsd' | 'anyAddress'>> & { listenPort: number; webUiPort: number; extraSession: string[] }): string {
  return [
    // without this qbittorrent-nox asks on stdin and waits forever
    '[LegalNotice]',
    'Accepted=true',
    '',
    '[BitTorrent]',
    `Session\\Port=${o.listenPort}`,
    // Bound to the interface lo with 127.0.0.1: reachable on every 127.0.0.N (ENVIRONMENT.md),
    // and libtorrent makes no outgoing connection from any other interface.
    `Session\\Interface=${o.interface}`,
    `Session\\InterfaceName=${o.interface}`,
    `Session\\InterfaceAddress=${o.anyAddress ? '' : o.address}`,
    `Session\\DHTEnabled=${o.dht}`,
    `Session\\LSDEnabled=${o.lsd}`,
    `Session\\PeXEnabled=${o.pex}`,
    `Session\\Encryption=${o.encryption}`,
    // TCP only: the bridge relays TCP; uTP would only add a second, unused path
    'Session\\BTProtocol=TCP',
    // queueing would leave a just-added torrent "queuedUP" and not serving
    'Session\\QueueingSystemEnabled=false',
    'Session\\AddTrackersEnabled=false',
    'Session\\AnonymousModeEnabled=false',
    // TRAP (seen here): with a live loopback tracker, qbittorrent-nox refused every incoming
    // connection from 127.0.0.1 (closed right after the handshake, direct or through the bridge),
    // while with a dead tracker it served. libtorrent keys its peer list by IP alone unless
    // multiple connections per IP are allowed, so one banned or duplicate 127.0.0.1 entry (its
    // own address coming back from the tracker: a self-connection gets banned) shuts out every
    // local peer. Every peer here is 127.0.0.1: allow many connections per IP.
    'Session\\MultiConnectionsPerIp=true',
    `Session\\GlobalUPSpeedLimit=${Math.round(o.uploadLimit / 1024)}`,
    `Session\\GlobalDLSpeedLimit=${Math.round(o.downloadLimit / 1024)}`,
    // libtorrent applies rate limits to LAN/loopback peers only if told so
    `Session\\IgnoreLimitsOnLAN=${o.uploadLimit === 0 && o.downloadLimit === 0}`,
    ...o.extraSession,
    '',
    '[Preferences]',
    `WebUI\\Port=${o.webUiPort}`,
    `WebUI\\Address=${o.address}`,
    // no login from localhost; no Host/CSRF checks for a test client without Referer
    'WebUI\\LocalHostAuth=false',
    // on a network of test namespaces, the test's end of the veth pair is not localhost
    ...(o.address === '127.0.0.1' || o.address === '::1' ? [] : [
      'WebUI\\AuthSubnetWhitelistEnabled=true',
      `WebUI\\AuthSubnetWhitelist=${o.address}/${o.address.includes(':') ? 64 : 24}`,
    ]),
    'WebUI\\HostHeaderValidation=false',
    'WebUI\\CSRFProtection=false',
    'WebUI\\UseUPnP=false',
    'Connection\\UPnP=false',
    'General\\Locale=en',
    '',
  ].join('\n')
}

export async function startQbittorrent(opts: QbittorrentOptions = {}): Promise<Qbittorrent> {
  const listenPort = opts.listenPort ?? (await findFreePort())
  const webUiPort = opts.webUiPort ?? (await findFreePort())
  const profile: TempDir = await makeTempDir('qbt-profile-')
  const configDir = join(profile.dir, 'qBittorrent', 'config')
  await mkdir(configDir, { recursive: true })
  const address = opts.address ?? '127.0.0.1'
  await writeFile(join(configDir, 'qBittorrent.conf'), conf({
    listenPort, webUiPort, dht: opts.dht ?? false, pex: opts.pex ?? false, encryption: opts.encryption ?? 0,
    uploadLimit: opts.uploadLimit ?? 0, downloadLimit: opts.downloadLimit ?? 0, extraSession: opts.extraSession ?? [],
    address, interface: opts.interface ?? 'lo', lsd: opts.lsd ?? false, anyAddress: opts.anyAddress ?? false,
  }))
  // qbittorrent-nox runs fine as root with no display; --profile keeps it away from ~/.config
  const command = [...(opts.wrapper ?? []), 'qbittorrent-nox', `--profile=${profile.dir}`, `--webui-port=${webUiPort}`]
  const daemon = spawnDaemon(command[0]!, command.slice(1), { name: 'qbittorrent-nox' })
  const webUi = `http://${address.includes(':') ? `[${address}]` : address}:${webUiPort}`

  const api = async (path: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(`${webUi}/api/v2/${path}`, init)
    if (!res.ok) throw new Error(`qBittorrent ${path}: HTTP ${res.status} ${await res.text()}`)
    return res
  }
  const info = async (infoHash?: string): Promise<QbittorrentTorrentInfo[]> =>
    (await api(`torrents/info${infoHash ? `?hashes=${infoHash}` : ''}`)).json() as Promise<QbittorrentTorrentInfo[]>

  const peers = async (infoHash: string): Promise<QbittorrentPeer[]> =>
    Object.values(((await (await api(`sync/torrentPeers?hash=${infoHash}&rid=0`)).json()) as { peers?: Record<string, QbittorrentPeer> }).peers ?? {})

  const stop = async () => {
    await daemon.stop(10_000)
    await profile.remove()
  }
  try {
    await pollUntil(async () => (await api('app/version')).ok, { timeoutMs: 20_000, what: 'the qBittorrent WebUI', daemon })
  } catch (err) {
    await stop()
    throw err
  }

  const addTorrent = async (torrent: Uint8Array, savePath: string) => {
    const form = new FormData()
    form.append('torrents', new Blob([new Uint8Array(torrent)], { type: 'application/x-bittorrent' }), 'x.torrent')
    form.append('savepath', savePath)
    // the data is on disk already: libtorrent checks it (skip_checking=false) and then seeds
    form.append('skip_checking', 'false')
    form.append('paused', 'false')
    form.append('autoTMM', 'false')
    const res = await api('torrents/add', { method: 'POST', body: form })
    const text = await res.text()
    if (text.trim() !== 'Ok.') throw new Error(`qBittorrent refused the torrent: ${text}`)
  }
  const waitSeeding = async (infoHash: string, timeoutMs = 60_000) => {
    const start = Date.now()
    const t = await pollUntil(async () => {
      const [t] = await info(infoHash)
      if (t && ERROR_STATES.has(t.state)) throw new Error(`qBittorrent: torrent ${infoHash} is in state ${t.state}`)
      return t && t.progress === 1 && SEEDING_STATES.has(t.state) ? t : undefined
    }, { timeoutMs, what: `qBittorrent seeding ${infoHash}`, daemon })
    // TRAP (seen here): for a moment after the state turns stalledUP, libtorrent closes incoming
    // connections for the torrent without a word (0 bytes), and a page that dialed then backs off
    // for 15 s or more. Seeding means "answers a handshake": probe until it does.
    await pollUntil(() => probeHandshake(listenPort, infoHash, address, 2000, opts.encryption === 1), {
      timeoutMs: Math.max(5000, timeoutMs - (Date.now() - start)), intervalMs: 250, what: `qBittorrent answering handshakes for ${infoHash}`, daemon,
    })
    return t
  }

  return {
    daemon,
    pid: daemon.pid,
    listenPort,
    webUiPort,
    webUi,
    address,
    profileDir: profile.dir,
    addTorrent,
    waitSeeding,
    async seed(torrent, infoHash, savePath, timeoutMs) {
      await addTorrent(torrent, savePath)
      return waitSeeding(infoHash, timeoutMs)
    },
    info,
    peers,
    stop,
  }
}
