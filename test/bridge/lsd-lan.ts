// The Local Service Discovery scenario of lsd.test.ts, run as its own process inside a network
// namespace of its own (`unshare -n`: LSD is multicast, which needs a network with a link, and no
// test may send it on the machine's real ones). It makes a LAN of two namespaces (netns.ts):
//   here  10.77.14.1/24 fd77:14::1/64  the bridge (peer port on ::, no --allow-net for this LAN) and
//                                      a Node page on it that knows no tracker and no DHT node;
//   there 10.77.14.2/24 fd77:14::2/64  a listener for what the bridges announce; hostile datagrams,
//                                      then qbittorrent-nox with LSD on, seeding the torrent (added
//                                      after the page announced, so it cannot have heard the page:
//                                      only its own announces find it).
// Beside the page: a private torrent (its ANNOUNCE says dht: false) on the same bridge, and a second
// bridge started with --no-lsd whose page has the public torrent: neither may be announced.
// Prints one line of JSON, a ScenarioReport, and exits; the test judges it.
import { join } from 'node:path'
import { sha256File, multiFileFixture, writeFixture } from '../support/fixtures'
import { isMain } from '../support/is-main'
import { makeTorrent } from '../support/peers/mktorrent'
import { pollUntil, runCommand, spawnDaemon, stopAllDaemons } from '../support/peers/process'
import { startQbittorrent } from '../support/peers/qbittorrent'
import { namespacesUnavailable, startLanHost, type LanHost } from '../support/netns'
import { formatLsdAnnounce, parseLsdAnnounce } from '../../src/core/peer-discovery/lsd-message'
import { FrameType } from '../../src/protocol/bridge-frames'
import { randomPeerId, rawPage, startTestBridge, tempDir, waitFor, type RawPage, type TestBridge } from './harness'
import { startPage, waitDone, type Page } from './node-page'

export const HERE = { device: 'lsd-a', addresses: ['10.77.14.1/24', 'fd77:14::1/64'] }
export const THERE = { device: 'lsd-b', addresses: ['10.77.14.2/24', 'fd77:14::2/64', '10.88.0.2/24'] }
const SIZE_MIB = 16
const NAME = 'payload'

export interface ScenarioReport {
  /** Set when the namespaces could not be made here: the test is skipped with this reason. */
  skip?: string
  /** Every file: its fixture SHA-256 and the downloaded file's. */
  files: { path: string; expected: string; actual: string }[]
  /** Every PEERS frame's peers the page got, as 'source host:port'. */
  peersFromBridge: string[]
  /** The page's most connected peers by source at once. */
  maxCounts: Record<string, number>
  /** qBittorrent's listen port, and the bytes it says it uploaded. */
  seederPort: number
  seederUploaded: number
  length: number
  /** Announces the other host heard, as 'sender port infohash'. */
  heard: string[]
  publicInfoHash: string
  privateInfoHash: string
  bridgePort: number
  quietBridgePort: number
  /** What each bridge's STATUS frame told its page about LSD. */
  statusLsd: boolean | null
  quietStatusLsd: boolean | null
}

/**
 * Datagrams sent from the other host before the seeder starts, each with the LSD port a page must
 * or must not learn: only the two last ones (from the LAN, to the group) may come through.
 */
function probes(infoHash: string) {
  const v4 = (port: number) => Buffer.from(formatLsdAnnounce(4, port, infoHash, 'probe')).toString('base64')
  const v6 = (port: number) => Buffer.from(formatLsdAnnounce(6, port, infoHash, 'probe')).toString('base64')
  return [
    { what: 'unicast to the bridge host (no group: the socket is bound to it)', family: 4, from: '10.77.14.2', to: '10.77.14.1', payload: v4(2001) },
    { what: 'from a sender on another network', family: 4, from: '10.88.0.2', to: '239.192.152.143', payload: v4(2002) },
    { what: 'a system port', family: 4, from: '10.77.14.2', to: '239.192.152.143', payload: v4(22) },
    { what: 'a LAN peer over IPv4 (passes)', family: 4, from: '10.77.14.2', to: '239.192.152.143', payload: v4(2004) },
    { what: 'a LAN peer over IPv6 (passes)', family: 6, from: 'fd77:14::2', to: 'ff15::efc0:988f', payload: v6(2006) },
  ]
}

/** On the other host: prints every LSD datagram it hears, as JSON lines { from, payload }. */
const LISTENER = `
const dgram = require('node:dgram')
for (const [type, group, iface] of [['udp4', '239.192.152.143', '10.77.14.2'], ['udp6', 'ff15::efc0:988f', '::%${THERE.device}']]) {
  const s = dgram.createSocket({ type, reuseAddr: true })
  s.on('message', (m, r) => console.log(JSON.stringify({ from: r.address, payload: m.toString('base64') })))
  s.bind(6771, group, () => { s.addMembership(group, iface); console.log('listening') })
}
`

/** Sends each probe in order from its address, multicast out of the other host's veth device. */
const SENDER = `
const dgram = require('node:dgram')
;(async () => {
  for (const p of JSON.parse(process.argv[1])) {
    const s = dgram.createSocket(p.family === 4 ? 'udp4' : 'udp6')
    await new Promise((resolve) => s.bind(0, p.from, resolve))
    s.setMulticastInterface(p.family === 4 ? p.from : '::%${THERE.device}')
    await new Promise((resolve, reject) => s.send(Buffer.from(p.payload, 'base64'), 6771, p.to, (err) => err ? reject(err) : resolve()))
    s.close()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
})().catch((err) => { console.error(err); process.exit(1) })
`

export async function runScenario(): Promise<ScenarioReport> {
  const empty = { files: [], peersFromBridge: [], maxCounts: {}, seederPort: 0, seederUploaded: 0, length: 0, heard: [], publicInfoHash: '', privateInfoHash: '', bridgePort: 0, quietBridgePort: 0, statusLsd: null, quietStatusLsd: null }
  const why = namespacesUnavailable()
  if (why) return { ...empty, skip: why }
  let lan: LanHost
  try {
    await runCommand('ip', ['link', 'set', 'lo', 'up'])
    lan = await startLanHost(HERE, THERE)
  } catch (err) {
    return { ...empty, skip: `cannot make a LAN of network namespaces here: ${(err as Error).message.split('\n')[0]}` }
  }
  const tmp = await tempDir('lsd-lan-')
  let bridge: TestBridge | undefined
  let quietBridge: TestBridge | undefined
  let page: Page | undefined
  let quietPage: Page | undefined
  let privatePage: RawPage | undefined
  try {
    const listener = spawnDaemon(lan.wrapper[0]!, [...lan.wrapper.slice(1), 'node', '-e', LISTENER], { name: 'LSD listener' })
    await pollUntil(() => listener.output().split('listening').length === 3, { timeoutMs: 10_000, what: 'the LSD listener', daemon: listener })
    const dataDir = join(tmp.dir, 'data')
    const { sha256 } = await writeFixture(dataDir, NAME, multiFileFixture(SIZE_MIB), 14)
    // no tracker: LSD is the only way the page can learn of the seeder
    const made = await makeTorrent({ path: join(dataDir, NAME), pieceLengthLog2: 18, source: 'lsd' })
    // the peer port on :: (IPv4 and IPv6); --allow-net stays loopback's alone (the harness's)
    bridge = await startTestBridge(['--peer-host', '::', '--port-mapping', 'off'])
    if (!bridge.running.bridge?.lsd) throw new Error('the bridge runs no LSD')
    // a private torrent on the same bridge: the page announces it with dht: false
    const privateInfoHash = 'ab'.repeat(20)
    privatePage = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    privatePage.send({ type: FrameType.Register, infoHash: privateInfoHash, peerId: randomPeerId() })
    privatePage.send({ type: FrameType.Announce, infoHash: privateInfoHash, event: 'started', trackers: [], dht: false, uploaded: 0, downloaded: 0, left: 1 })
    // a bridge with --no-lsd, whose page has the public torrent
    quietBridge = await startTestBridge(['--peer-host', '::', '--no-lsd', '--port-mapping', 'off'])
    quietPage = await startPage(quietBridge, made.torrent, join(tmp.dir, 'quiet-page'), { trackers: [], dht: true })
    const out = join(tmp.dir, 'page')
    page = await startPage(bridge, made.torrent, out, { trackers: [], dht: true })
    const p = page
    const peersFromBridge: string[] = []
    p.client.on('peers', (_h, source, list) => peersFromBridge.push(...list.map((peer) => `${source} ${peer.host}:${peer.port}`)))

    await lan.run('node', ['-e', SENDER, JSON.stringify(probes(made.infoHash))])
    await waitFor(() => peersFromBridge.includes('lsd 10.77.14.2:2004') && peersFromBridge.includes('lsd fd77:14::2:2006'), 10_000, 'the LAN probes through LSD')

    const qbt = await startQbittorrent({ address: '10.77.14.2', interface: THERE.device, anyAddress: true, lsd: true, wrapper: lan.wrapper })
    await qbt.seed(made.torrent, made.infoHash, dataDir, 30_000)
    await waitDone(p, 60_000, 'download from qbittorrent-nox found by LSD', () => qbt.info(made.infoHash))
    const uploaded = await pollUntil(async () => {
      const u = (await qbt.info(made.infoHash))[0]?.uploaded ?? 0
      return u >= made.meta.length ? u : undefined
    }, { timeoutMs: 10_000, what: 'qBittorrent counting its upload' }).catch(async () => (await qbt.info(made.infoHash))[0]?.uploaded ?? 0)
    const files: ScenarioReport['files'] = []
    for (const [path, expected] of sha256) files.push({ path, expected, actual: await sha256File(join(out, NAME, ...path.split('/'))) })
    const heard = listener.output().split('\n').filter((line) => line.startsWith('{')).map((line) => {
      const { from, payload } = JSON.parse(line) as { from: string; payload: string }
      const a = parseLsdAnnounce(Buffer.from(payload, 'base64'))
      return a ? `${from} ${a.port} ${a.infoHashes.join(',')}` : `${from} not an announce`
    })
    return {
      files, peersFromBridge, maxCounts: { ...p.maxCounts }, seederPort: qbt.listenPort, seederUploaded: uploaded, length: made.meta.length,
      heard, publicInfoHash: made.infoHash, privateInfoHash, bridgePort: bridge.peerPort, quietBridgePort: quietBridge.peerPort,
      statusLsd: p.client.status?.lsd ?? null, quietStatusLsd: quietPage.client.status?.lsd ?? null,
    }
  } finally {
    privatePage?.close()
    await quietPage?.close()
    await page?.close()
    await quietBridge?.close()
    await bridge?.close()
    await stopAllDaemons() // qBittorrent, then the namespace holder: the LAN goes with it
    await lan.stop()
    await tmp.remove()
  }
}

if (isMain(import.meta.url)) {
  // the test's process holds stdin: when it goes, so does this one (its daemons by their PIDs)
  process.stdin.on('end', () => void stopAllDaemons().finally(() => process.exit(1)))
  process.stdin.resume()
  runScenario().then((report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`)
    process.exit(0)
  }, (err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: (err as Error).stack ?? String(err) })}\n`)
    process.exit(1)
  })
}
