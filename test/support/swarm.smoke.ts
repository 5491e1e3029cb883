// Smoke test of the harness: tracker + WebRTC seeder + a WebRTC-only Node leecher, bytes checked.
//   npx tsx test/support/swarm.smoke.ts [--size-mib 20] [--transport webrtc|tcp] [--timeout-s 120]
// (--transport tcp: the same over TCP on 127.0.0.1 with the HTTP tracker, no WebRTC at all.)
// Exit 0: every file's SHA-256 matches; 1: mismatch or error; 2: no finish within the timeout (120 s).
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createLoopbackClient, destroyClient } from './client'
import { multiFileFixture, pieceLayout, sha256File, torrentOrder, writeFixture } from './fixtures'
import { isLoopbackAddress } from './loopback-webrtc'
import { startSeeder, type Seeder } from './seeder'
import { startTracker, type LocalTracker } from './tracker'
import type { WebTorrent } from './webtorrent-types'

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '20' },
    transport: { type: 'string', default: 'webrtc' },
    'timeout-s': { type: 'string', default: '120' },
  },
})
const TIMEOUT_MS = Number(values['timeout-s']) * 1000
const sizeMiB = Number(values['size-mib'])
const transport = values.transport
if (transport !== 'webrtc' && transport !== 'tcp') throw new Error(`--transport webrtc|tcp, not ${transport}`)
const useWebRtc = transport === 'webrtc'

const cleanups: (() => Promise<unknown>)[] = []
async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => console.error('cleanup:', err))
  cleanups.length = 0
}

function log(...args: unknown[]): void {
  console.log(`[smoke ${(performance.now() / 1000).toFixed(1)}s]`, ...args)
}

async function main(): Promise<void> {
  const srcDir = await mkdtemp(join(tmpdir(), 'swarm-smoke-src-'))
  cleanups.push(() => rm(srcDir, { recursive: true, force: true }))
  const dstDir = await mkdtemp(join(tmpdir(), 'swarm-smoke-dst-'))
  cleanups.push(() => rm(dstDir, { recursive: true, force: true }))

  const files = multiFileFixture(sizeMiB)
  const name = 'swarm smoke'
  let t = performance.now()
  const { root, sha256 } = await writeFixture(srcDir, name, files, 7)
  const layout = pieceLayout(torrentOrder(files), 256 * 1024)
  log(`fixture: ${files.length} files, ${layout.totalLength} bytes in ${((performance.now() - t) / 1000).toFixed(2)} s;`,
    `${layout.pieceCount} pieces, last ${layout.lastPieceLength} B, ${layout.crossFilePieces} cross-file pieces`)

  const tracker: LocalTracker = await startTracker()
  cleanups.push(() => tracker.close())
  log('tracker', tracker.wsUrl)

  t = performance.now()
  const seeder: Seeder = useWebRtc
    ? await startSeeder({ root, announce: [tracker.wsUrl], webrtc: true, tcpPort: false })
    : await startSeeder({ root, announce: [tracker.httpUrl], webrtc: false, tcpPort: 0 })
  cleanups.push(() => seeder.destroy())
  log(`seeder ready in ${((performance.now() - t) / 1000).toFixed(2)} s: ${seeder.infoHash} ${seeder.magnetURI}`)

  // Torrent file order and geometry must be what the fixture promises.
  const torrentPaths = seeder.torrent.files.map((f) => f.path.split(/[\\/]/).slice(1).join('/'))
  const expectedPaths = files.map((f) => f.path)
  if (JSON.stringify(torrentPaths) !== JSON.stringify(expectedPaths)) {
    throw new Error(`torrent file order ${JSON.stringify(torrentPaths)} != fixture ${JSON.stringify(expectedPaths)}`)
  }
  if (seeder.torrent.lastPieceLength !== layout.lastPieceLength || seeder.torrent.pieces.length !== layout.pieceCount) {
    throw new Error(`piece geometry differs: ${seeder.torrent.pieces.length}/${seeder.torrent.lastPieceLength}`)
  }

  // Leecher: no TCP listener, no DHT/LSD/PEX; its only tracker is the one in the magnet (ws:// for
  // WebRTC, http:// for TCP). With WebRTC it has nothing to dial over TCP; without, no WebRTC.
  const leecher: WebTorrent = await createLoopbackClient({ tcpPort: false, webrtc: useWebRtc })
  cleanups.push(() => destroyClient(leecher))
  const wrongWires: string[] = []
  t = performance.now()
  let tReady = t
  const torrent = leecher.add(seeder.magnetURI, { path: dstDir })
  torrent.on('wire', (wire: { type: string; remoteAddress?: string }) => {
    log(`leecher wire: type=${wire.type} remote=${wire.remoteAddress}`)
    if (useWebRtc ? wire.type !== 'webrtc' : wire.type !== 'tcpOutgoing' && wire.type !== 'tcpIncoming') wrongWires.push(wire.type)
    if (!useWebRtc && !isLoopbackAddress(wire.remoteAddress ?? '')) wrongWires.push(`${wire.type} from ${wire.remoteAddress}`)
  })
  torrent.on('warning', (err: Error) => log('leecher warning:', err.message))
  torrent.once('ready', () => {
    tReady = performance.now()
    log(`metadata in ${((tReady - t) / 1000).toFixed(2)} s`)
  })
  const progress = setInterval(() => log(`progress ${(torrent.progress * 100).toFixed(1)}% ${(torrent.downloadSpeed / 1e6).toFixed(1)} MB/s peers ${torrent.numPeers}`), 5000)
  cleanups.push(async () => clearInterval(progress))
  await new Promise<void>((resolve, reject) => {
    torrent.once('done', () => resolve())
    torrent.once('error', reject)
  })
  const tDone = performance.now()
  clearInterval(progress)
  const secs = (tDone - t) / 1000
  const secsData = (tDone - tReady) / 1000
  log(`downloaded ${torrent.length} bytes in ${secs.toFixed(2)} s: ${(torrent.length / 1e6 / secs).toFixed(1)} MB/s from add,`,
    `${(torrent.length / 1e6 / secsData).toFixed(1)} MB/s from metadata (${(torrent.length / 2 ** 20 / secsData).toFixed(1)} MiB/s)`)
  if (wrongWires.length > 0) throw new Error(`leecher used unexpected wires (${transport}): ${wrongWires.join(', ')}`)
  const wireTypes = torrent.wires.map((w) => w.type)
  log('wires at done:', JSON.stringify(wireTypes))
  // The ICE pair in use: the remote end must be loopback (or peer-reflexive, reported as '' by
  // libwebrtc: then the checks came from this host's own socket), the local end an address of
  // this host. See loopback-webrtc.ts for why a local eth0 address can appear outside `unshare -n`.
  const own = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)))
  for (const peer of torrent._peers?.values() ?? []) {
    const { localAddress = '', remoteAddress = '' } = peer.conn ?? {}
    log(`leecher peer ${peer.type}: local ${localAddress || '?'} remote ${remoteAddress || '(peer-reflexive)'}`)
    if (peer.type !== 'webrtc') continue
    if (!(isLoopbackAddress(remoteAddress) || remoteAddress === '') || !(isLoopbackAddress(localAddress) || own.has(localAddress))) {
      throw new Error(`WebRTC peer not local: ${localAddress} -> ${remoteAddress}`)
    }
  }

  // Close the leecher's store before reading its files back.
  await destroyClient(leecher)

  const bad: string[] = []
  for (const f of files) {
    const target = join(dstDir, name, ...f.path.split('/'))
    let got: string
    try {
      const st = await stat(target)
      got = st.size === f.length ? await sha256File(target) : `size ${st.size} != ${f.length}`
    } catch (err) {
      got = `missing (${(err as NodeJS.ErrnoException).code})`
    }
    const ok = got === sha256.get(f.path)
    log(`${ok ? 'ok  ' : 'BAD '} ${f.path} (${f.length} B) ${got}`)
    if (!ok) bad.push(f.path)
  }
  if (bad.length > 0) throw new Error(`SHA-256 mismatch: ${bad.join(', ')}`)
  log('PASS')
}

const timer = setTimeout(() => {
  console.error(`[smoke] FAIL: timeout after ${TIMEOUT_MS / 1000} s`)
  const force = setTimeout(() => process.exit(2), 10_000)
  force.unref()
  void cleanup().finally(() => process.exit(2))
}, TIMEOUT_MS)

main().then(
  async () => {
    clearTimeout(timer)
    await cleanup()
    // wrtc keeps native threads alive after the clients are gone: exit explicitly.
    process.exit(0)
  },
  async (err: unknown) => {
    clearTimeout(timer)
    console.error('[smoke] FAIL:', err)
    await cleanup()
    process.exit(1)
  },
)
