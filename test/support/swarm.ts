// A whole local swarm in one call: fixture on disk + tracker + seeder. Used in-process by tests
// and benchmarks, and by seeder-cli.ts (which Playwright tests spawn as a child process).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureLength, multiFileFixture, writeFixture, type FixtureFile } from './fixtures'
import { startSeeder, type Seeder } from './seeder'
import { startTracker, type LocalTracker } from './tracker'

export type TrackerKind = 'ws' | 'http' | 'udp'

export interface SwarmOptions {
  /** Folder the fixture is written into (as `dir/name`). Default: a temp dir, removed by close(). */
  dir?: string
  /** Torrent (and folder) name. Default 'multi-file fixture'. */
  name?: string
  /** Size of multiFileFixture(sizeMiB) (>= 4). Default 64. Ignored when `files` is given. */
  sizeMiB?: number
  files?: FixtureFile[]
  /** Content seed for writeFixture. Default 1. */
  seed?: number
  /** Use these tracker URLs instead of starting a tracker. */
  trackers?: string[]
  /** Port for the tracker this starts. Default: a free one. */
  trackerPort?: number
  /** Which of the started tracker's URLs go into the torrent. Default ['ws'], or all three when TCP is on. */
  announce?: TrackerKind[]
  pieceLength?: number
  webrtc?: boolean
  tcpPort?: number | false
  uploadLimit?: number
  /** See SeederOptions.initiate (default false). */
  initiate?: boolean
}

/** The JSON-friendly description of a running swarm (seeder-cli prints this, torrentFile in base64). */
export interface SwarmInfo {
  magnetURI: string
  infoHash: string
  name: string
  /** `dir/name`: the seeded folder. */
  root: string
  /** ws:// URL of the tracker (the started one, or the first ws:// of `trackers`), or null. */
  wsUrl: string | null
  httpUrl: string | null
  udpUrl: string | null
  trackerPort: number | null
  announce: string[]
  tcpPort: number | null
  pieceLength: number
  length: number
  files: FixtureFile[]
  /** SHA-256 hex by relative '/'-separated path. */
  sha256: Record<string, string>
}

export interface Swarm extends SwarmInfo {
  torrentFile: Uint8Array
  seeder: Seeder
  tracker: LocalTracker | null
  close(): Promise<void>
}

export async function startSwarm(opts: SwarmOptions = {}): Promise<Swarm> {
  const cleanups: (() => Promise<unknown>)[] = []
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: unknown) => console.error('[swarm cleanup]', err))
  }
  try {
    let dir = opts.dir
    if (!dir) {
      const tmp = await mkdtemp(join(tmpdir(), 'swarm-'))
      cleanups.push(() => rm(tmp, { recursive: true, force: true }))
      dir = tmp
    }
    const name = opts.name ?? 'multi-file fixture'
    const files = opts.files ?? multiFileFixture(opts.sizeMiB ?? 64)
    const { root, sha256 } = await writeFixture(dir, name, files, opts.seed ?? 1)

    let tracker: LocalTracker | null = null
    let announce: string[]
    if (opts.trackers) {
      announce = opts.trackers
    } else {
      const t = await startTracker(opts.trackerPort !== undefined ? { port: opts.trackerPort } : {})
      tracker = t
      cleanups.push(() => t.close())
      const kinds = opts.announce ?? (opts.tcpPort === undefined || opts.tcpPort === false ? ['ws'] : ['ws', 'http', 'udp'])
      announce = kinds.map((k) => ({ ws: t.wsUrl, http: t.httpUrl, udp: t.udpUrl })[k])
    }

    const seeder = await startSeeder({
      root,
      announce,
      ...(opts.pieceLength !== undefined ? { pieceLength: opts.pieceLength } : {}),
      ...(opts.webrtc !== undefined ? { webrtc: opts.webrtc } : {}),
      ...(opts.tcpPort !== undefined ? { tcpPort: opts.tcpPort } : {}),
      ...(opts.uploadLimit !== undefined ? { uploadLimit: opts.uploadLimit } : {}),
      ...(opts.initiate !== undefined ? { initiate: opts.initiate } : {}),
    })
    cleanups.push(() => seeder.destroy())
    if (seeder.length !== fixtureLength(files)) throw new Error(`torrent length ${seeder.length} != fixture ${fixtureLength(files)}`)

    let closing: Promise<void> | undefined
    return {
      magnetURI: seeder.magnetURI,
      infoHash: seeder.infoHash,
      name: seeder.name,
      root,
      wsUrl: tracker?.wsUrl ?? announce.find((u) => u.startsWith('ws')) ?? null,
      httpUrl: tracker?.httpUrl ?? announce.find((u) => u.startsWith('http')) ?? null,
      udpUrl: tracker?.udpUrl ?? announce.find((u) => u.startsWith('udp')) ?? null,
      trackerPort: tracker?.port ?? null,
      announce,
      tcpPort: seeder.tcpPort,
      pieceLength: seeder.pieceLength,
      length: seeder.length,
      files,
      sha256: Object.fromEntries(sha256),
      torrentFile: seeder.torrentFile,
      seeder,
      tracker,
      close: () => (closing ??= cleanup()),
    }
  } catch (err) {
    await cleanup()
    throw err
  }
}

/** The JSON-friendly part of a Swarm (what seeder-cli prints), torrentFile in base64. */
export function swarmInfoJson(swarm: Swarm): SwarmInfo & { torrentFile: string } {
  const { seeder: _s, tracker: _t, close: _c, torrentFile, ...info } = swarm
  return { ...info, torrentFile: Buffer.from(torrentFile).toString('base64') }
}
