// The page's ut_pex (src/engine/peer-discovery/ut-pex.ts + pex-swarm.ts) on real bittorrent-protocol wires in
// Node, talking to webtorrent's own ut_pex package (the Node build's implementation) at the far
// end: what the page sends is what another client reads, and the other way round.
import { afterEach, describe, expect, it, vi } from 'vitest'
// @ts-ignore -- bittorrent-protocol ships no types; the part used is typed below
import WireModule from 'bittorrent-protocol'
// @ts-ignore -- no types: webtorrent's ut_pex, a factory returning the Extension class
import utPexModule from 'ut_pex'
import { PEX_FLAG } from '../../src/core/peer-discovery/pex'
import { dialableAddress, PexSwarm, type BridgedDirection } from '../../src/engine/peer-discovery/pex-swarm'
import { PexTicker } from '../../src/engine/peer-discovery/pex-ticker'
import { PEX_MIN_RECEIVE_INTERVAL_MS } from '../../src/engine/peer-discovery/ut-pex'
import type { PeerAddress } from '../../src/protocol/bridge-frames'

interface Wire {
  remoteAddress?: string
  remotePort?: number
  extendedHandshake: Record<string, unknown>
  /** What the other end sent in its extended handshake (BEP 10), once it came. */
  peerExtendedHandshake: Record<string, unknown>
  ut_pex?: RemotePex
  use(ext: unknown): void
  handshake(infoHash: string, peerId: string, extensions?: object): void
  pipe<T>(dest: T): T
  destroy(): void
  on(event: string, fn: (...args: any[]) => void): void
  once(event: string, fn: (...args: any[]) => void): void
}
/** webtorrent's ut_pex instance, as far as used here. */
interface RemotePex {
  on(event: 'peer' | 'dropped', fn: (peer: string) => void): void
  addPeer(peer: string): void
  /** Sends now what `addPeer` queued; the package itself does it every 65 s. */
  _sendMessage(): void
}
const Wire = WireModule as unknown as new () => Wire
const RemoteUtPex = (utPexModule as () => unknown)()

const INFO_HASH = 'a'.repeat(40)
const settle = () => new Promise((r) => setTimeout(r, 50))
let nextId = 1
const peerId = () => (nextId++).toString(16).padStart(40, '0')

/** A page-side wire with the swarm's extension, piped to a remote wire; both handshake. */
async function connect(swarm: PexSwarm, remote: PeerAddress | undefined, opts: { remotePex?: boolean; listenPort?: number } = {}) {
  const local = new Wire()
  const far = new Wire()
  for (const w of [local, far]) w.on('error', () => {})
  local.pipe(far).pipe(local)
  // as webtorrent's _onWire does before emitting 'wire'
  if (remote) Object.assign(local, { remoteAddress: remote.host, remotePort: remote.port })
  local.use(swarm.Extension)
  const heard: string[] = []
  const dropped: string[] = []
  if (opts.remotePex) {
    far.use(RemoteUtPex)
    far.ut_pex!.on('peer', (peer) => heard.push(peer))
    far.ut_pex!.on('dropped', (peer) => dropped.push(peer))
  }
  if (opts.listenPort) far.extendedHandshake = { p: opts.listenPort }
  local.handshake(INFO_HASH, peerId(), { dht: false })
  far.handshake(INFO_HASH, peerId(), { dht: false })
  await settle()
  return { local, far, heard, dropped }
}

let swarm: PexSwarm | undefined
afterEach(() => {
  swarm?.destroy()
  vi.useRealTimers()
})

function newSwarm(directions: Record<string, BridgedDirection>, isPrivate: () => boolean | undefined = () => false, listenPort?: () => number | undefined) {
  const learnt: PeerAddress[] = []
  swarm = new PexSwarm({
    direction: (remote) => directions[`${remote.host}:${remote.port}`],
    onPeers: (peers) => learnt.push(...peers),
    isPrivate,
    ...(listenPort ? { listenPort } : {}),
    firstDelayMs: 0,
    tickMs: 60_000, // stepped by hand
  })
  return { swarm, learnt }
}

describe('dialableAddress', () => {
  it('names outbound peers where we reached them, inbound ones only with their listen port, nothing else', () => {
    const remote = { host: '10.0.0.5', port: 40001 }
    expect(dialableAddress('outbound', remote, 7000)).toEqual({ host: '10.0.0.5', port: 40001, flags: PEX_FLAG.reachable })
    expect(dialableAddress('inbound', remote, 7000)).toEqual({ host: '10.0.0.5', port: 7000, flags: 0 })
    expect(dialableAddress('inbound', remote, undefined)).toBeUndefined()
    expect(dialableAddress(undefined, remote, 7000)).toBeUndefined()
  })
})

describe('ut_pex between the page and webtorrent\'s ut_pex', () => {
  it('tells the remote the bridged TCP peers the page is connected to, then what changed, at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }) // only the clocks: streams keep their real scheduling
    const { swarm } = newSwarm({
      '10.0.0.1:6881': 'outbound', '10.0.0.5:6881': 'outbound', '10.0.0.6:40000': 'inbound', '10.0.0.7:40001': 'inbound', '10.0.0.8:6881': 'outbound',
    })
    const remote = await connect(swarm, { host: '10.0.0.1', port: 6881 }, { remotePex: true })
    const outbound = await connect(swarm, { host: '10.0.0.5', port: 6881 })
    await connect(swarm, { host: '10.0.0.6', port: 40000 }, { listenPort: 7000 }) // inbound, says where it listens
    await connect(swarm, { host: '10.0.0.7', port: 40001 }) // inbound, no listen port: not dialable
    await connect(swarm, { host: '192.0.2.9', port: 50000 }) // WebRTC: not a bridged stream
    await connect(swarm, undefined) // WebRTC without an address
    swarm.tick()
    await settle()
    // not the remote itself, nor what cannot be dialed
    expect(remote.heard.sort()).toEqual(['10.0.0.5:6881', '10.0.0.6:7000'])

    // one peer goes, another comes: nothing before a minute has passed since the last message
    outbound.local.destroy()
    await connect(swarm, { host: '10.0.0.8', port: 6881 })
    vi.setSystemTime(Date.now() + 59_000)
    swarm.tick()
    await settle()
    expect(remote.heard).toHaveLength(2)
    expect(remote.dropped).toEqual([])
    // webtorrent's ut_pex destroys a wire that sends twice within 60 s: it is still up after this
    vi.setSystemTime(Date.now() + 2_000)
    swarm.tick()
    await settle()
    expect(remote.heard.sort()).toEqual(['10.0.0.5:6881', '10.0.0.6:7000', '10.0.0.8:6881'])
    expect(remote.dropped).toEqual(['10.0.0.5:6881'])
  })

  it('hands on the peers the remote names, and ignores a second message within the minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { swarm, learnt } = newSwarm({})
    const { far } = await connect(swarm, { host: '10.0.0.1', port: 6881 }, { remotePex: true })
    far.ut_pex!.addPeer('10.9.9.9:1234')
    far.ut_pex!.addPeer('0.0.0.0:1') // not dialable: dropped by the codec
    far.ut_pex!._sendMessage()
    await settle()
    expect(learnt).toEqual([{ host: '10.9.9.9', port: 1234 }])
    far.ut_pex!.addPeer('10.9.9.10:1234')
    far.ut_pex!._sendMessage()
    await settle()
    expect(learnt).toHaveLength(1)
    vi.setSystemTime(Date.now() + PEX_MIN_RECEIVE_INTERVAL_MS)
    far.ut_pex!.addPeer('10.9.9.11:1234')
    far.ut_pex!._sendMessage()
    await settle()
    expect(learnt).toEqual([{ host: '10.9.9.9', port: 1234 }, { host: '10.9.9.11', port: 1234 }])
  })

  /** A remote with PEX names 10.9.9.9:1234 and the page has 10.0.0.5:6881 (dialed) to tell of: one round each way. */
  async function onePexRound(isPrivate: () => boolean | undefined) {
    const { swarm, learnt } = newSwarm({ '10.0.0.5:6881': 'outbound' }, isPrivate)
    const remote = await connect(swarm, { host: '10.0.0.1', port: 6881 }, { remotePex: true })
    await connect(swarm, { host: '10.0.0.5', port: 6881 })
    remote.far.ut_pex!.addPeer('10.9.9.9:1234')
    remote.far.ut_pex!._sendMessage()
    await settle()
    swarm.tick()
    await settle()
    return { swarm, learnt, remote }
  }

  it('neither tells nor hears anything for a private torrent', async () => {
    const { learnt, remote } = await onePexRound(() => true)
    expect(learnt).toEqual([])
    expect(remote.heard).toEqual([])
  })

  it('keeps what it hears, and says nothing, until the metadata says the torrent is public', async () => {
    let isPrivate: boolean | undefined
    const { swarm, learnt, remote } = await onePexRound(() => isPrivate)
    expect(learnt).toEqual([])
    expect(remote.heard).toEqual([])
    isPrivate = false
    swarm.tick()
    await settle()
    expect(learnt).toEqual([{ host: '10.9.9.9', port: 1234 }])
    expect(remote.heard).toEqual(['10.0.0.5:6881'])
  })
})

describe('the page\'s listen port in its extended handshake (BEP 10 `p`)', () => {
  it('reaches the far end of every bridged wire, while the bridge gives one, so that peer can name the page in its PEX', async () => {
    let bridgePort: number | undefined = 51413
    const { swarm } = newSwarm({ '10.0.0.1:6881': 'outbound', '10.0.0.6:40000': 'inbound', '10.0.0.2:6881': 'outbound' }, () => false, () => bridgePort)
    const dialed = await connect(swarm, { host: '10.0.0.1', port: 6881 }, { remotePex: true })
    const came = await connect(swarm, { host: '10.0.0.6', port: 40000 })
    const webrtc = await connect(swarm, { host: '192.0.2.9', port: 50000 })
    expect(dialed.far.peerExtendedHandshake['p']).toBe(51413)
    expect(came.far.peerExtendedHandshake['p']).toBe(51413)
    // a WebRTC peer would look for the bridge's port at the WebRTC address: not told (its handshake
    // came, with the ut_pex mapping: `p` is missing from it, not from a handshake that never arrived)
    expect(webrtc.far.peerExtendedHandshake['m']).toMatchObject({ ut_pex: expect.any(Number) })
    expect(webrtc.far.peerExtendedHandshake['p']).toBeUndefined()
    // the ut_pex mapping still goes with it
    expect(dialed.far.peerExtendedHandshake['m']).toMatchObject({ ut_pex: expect.any(Number) })
    // the bridge gone (no peer port): new wires are not told a port nobody listens on
    bridgePort = undefined
    const later = await connect(swarm, { host: '10.0.0.2', port: 6881 })
    expect(later.far.peerExtendedHandshake['m']).toMatchObject({ ut_pex: expect.any(Number) })
    expect(later.far.peerExtendedHandshake['p']).toBeUndefined()
  })
})

describe('the swarm\'s timer', () => {
  it('runs only while the torrent has a wire: a seed with no peer costs no timer', async () => {
    const { swarm } = newSwarm({ '10.0.0.1:6881': 'outbound', '10.0.0.5:6881': 'outbound' })
    expect(swarm.ticking).toBe(false)
    const one = await connect(swarm, { host: '10.0.0.1', port: 6881 }, { remotePex: true })
    const two = await connect(swarm, { host: '10.0.0.5', port: 6881 })
    expect(swarm.ticking).toBe(true)
    one.local.destroy()
    await settle()
    swarm.tick()
    expect(swarm.ticking).toBe(true) // one wire left
    two.local.destroy()
    await settle()
    swarm.tick()
    expect(swarm.ticking).toBe(false)
    // a new wire starts it again
    await connect(swarm, { host: '10.0.0.1', port: 6881 }, { remotePex: true })
    expect(swarm.ticking).toBe(true)
  })

  it('swarms with wires share one page-wide timer (one task a second for all torrents, not one each)', async () => {
    const ticker = new PexTicker(60_000)
    const swarms = [0, 1, 2].map(() => new PexSwarm({ direction: () => 'outbound', onPeers: () => {}, isPrivate: () => false, firstDelayMs: 0, ticker }))
    try {
      const ticks = swarms.map((s) => {
        const count = { n: 0 }
        const own = s.tick.bind(s)
        s.tick = () => { count.n++; own() }
        return count
      })
      for (const [i, s] of swarms.entries()) await connect(s, { host: `10.0.0.${i + 1}`, port: 6881 }, { remotePex: true })
      expect(swarms.map((s) => s.ticking)).toEqual([true, true, true])
      expect(ticker.running).toBe(true)
      ticker.fire()
      expect(ticks.map((c) => c.n), 'each swarm ticked by the one timer').toEqual([1, 1, 1])
    } finally {
      for (const s of swarms) s.destroy()
    }
    expect(ticker.running, 'none left: the timer stops').toBe(false)
  })
})
