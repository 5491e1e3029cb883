// libtorrent itself (Debian's python3-libtorrent 2.0.8, through test/support/libtorrent-peer.py) as
// a real peer on loopback: seeds and downloads v1, v2 and hybrid torrents, by .torrent or magnet.
import { fileURLToPath } from 'node:url'
import { spawnJsonLines, type JsonLinesChild } from '../json-lines-child'
import { DEBIAN_PYTHON } from '../libtorrent-v2'
import { pollUntil, probeHandshake } from './process'

const SCRIPT = fileURLToPath(new URL('../libtorrent-peer.py', import.meta.url))

export interface LibtorrentStatus {
  name: string
  state: string
  progress: number
  seeding: boolean
  hasMetadata: boolean
  /** Piece data sent and received. */
  uploaded: number
  downloaded: number
  peers: number
  error: string | null
}

export interface LibtorrentPeer {
  /** Where it takes peers, on 127.0.0.1. */
  listenPort: number
  /** Adds a .torrent (seeded when its data is in `save`, else downloaded) or a magnet; resolves with its key: the v1 info-hash, or the truncated v2 one of a v2-only torrent. */
  add(source: { torrent: string } | { magnet: string }, save: string): Promise<string>
  /** Dials a peer ("host:port") for that torrent. */
  connect(key: string, peer: string): Promise<void>
  status(): Promise<Record<string, LibtorrentStatus>>
  /** Resolves once it seeds `key` and answers handshakes for it. */
  waitSeeding(key: string, timeoutMs?: number): Promise<LibtorrentStatus>
  stop(): Promise<void>
}

type Line = { listening?: number; id?: number; key?: string; ok?: boolean; torrents?: Record<string, LibtorrentStatus>; error?: string }

/** `uploadLimit` in bytes a second, applied to loopback peers too (0: none). */
export async function startLibtorrent(opts: { uploadLimit?: number } = {}): Promise<LibtorrentPeer> {
  const child: JsonLinesChild<Line> = spawnJsonLines([DEBIAN_PYTHON, SCRIPT, String(opts.uploadLimit ?? 0)])
  let nextId = 1
  const call = async (command: Record<string, unknown>): Promise<Line> => {
    const id = nextId++
    child.child.stdin!.write(`${JSON.stringify({ ...command, id })}\n`)
    const reply = await child.next((line) => line.id === id, 30_000, `libtorrent answering ${String(command.cmd)}`)
    if (reply.error) throw new Error(`libtorrent: ${reply.error}`)
    return reply
  }
  try {
    const { listening } = await child.next((line) => line.listening !== undefined, 20_000, 'libtorrent listening')
    const listenPort = listening!
    const status = async () => (await call({ cmd: 'status' })).torrents ?? {}
    return {
      listenPort,
      async add(source, save) {
        return (await call({ cmd: 'add', ...source, save })).key!
      },
      async connect(key, peer) {
        await call({ cmd: 'connect', key, peer })
      },
      status,
      async waitSeeding(key, timeoutMs = 30_000) {
        const start = Date.now()
        const seeding = await pollUntil(async () => {
          const st = (await status())[key]
          if (st?.error) throw new Error(`libtorrent: ${key}: ${st.error}`)
          return st?.seeding ? st : undefined
        }, { timeoutMs, what: `libtorrent seeding ${key}` })
        // as qbittorrent.ts: seeding means answering a handshake
        await pollUntil(() => probeHandshake(listenPort, key), { timeoutMs: Math.max(5000, timeoutMs - (Date.now() - start)), intervalMs: 250, what: `libtorrent answering handshakes for ${key}` })
        return seeding
      },
      stop: () => child.stop(),
    }
  } catch (err) {
    await child.stop()
    throw err
  }
}
