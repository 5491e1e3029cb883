import { afterEach, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { BridgeStream, type StreamLink } from '../../src/bridge-client/bridge-stream'
import { PeerService, type PeerTorrent } from '../../src/engine/peer-connection/peers'
import { CloseCode, type PeerAddress } from '../../src/protocol/bridge-frames'
import { AppError } from '../../src/protocol/errors'

const H1 = '1'.repeat(40)
const H2 = '2'.repeat(40)
const link: StreamLink = { sendData() {}, sendCredit() {}, sendClose() {}, forget() {} }

/** A BridgeClient stand-in: records dials, lets the test open or fail each stream. */
function fakeClient(maxStreams = 1000) {
  const dials: BridgeStream[] = []
  const listeners = new Map<string, ((...a: any[]) => void)[]>()
  let next = 1
  const client = {
    state: 'connected',
    welcome: { maxStreams },
    on(event: string, fn: (...a: any[]) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn])
      return () => {}
    },
    open(infoHash: string, peer: PeerAddress) {
      const s = new BridgeStream(next, infoHash, peer, 'outbound', link)
      next += 2
      dials.push(s)
      return s
    },
    emit(event: string, ...args: any[]) { for (const fn of listeners.get(event) ?? []) fn(...args) },
  }
  return { client: client as unknown as BridgeClient & { emit(e: string, ...a: any[]): void }, dials }
}

function torrent(infoHash: string, over: Partial<PeerTorrent> = {}): PeerTorrent & { added: unknown[] } {
  const added: unknown[] = []
  return { infoHash, added, addPeer: (p) => (added.push(p), true), ...over }
}

const peers = (n: number, base = 1): PeerAddress[] => Array.from({ length: n }, (_, i) => ({ host: `8.8.${Math.floor((base + i) / 250)}.${(base + i) % 250}`, port: 6881 }))
const tick = () => new Promise((r) => setTimeout(r, 0))

let service: PeerService | undefined
afterEach(() => service?.destroy())

describe('peer connection service', () => {
  it('dials within the per-torrent budget and hands each stream to the torrent', () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPerTorrent: 3, maxPendingDials: 100 })
    const t = torrent(H1)
    service.attach(t)
    service.addCandidates(H1, 'tracker', peers(10))
    expect(dials).toHaveLength(3)
    expect(t.added).toEqual(dials)
  })

  it('keeps the total budget across torrents, and the bridge limit', () => {
    const { client, dials } = fakeClient(4)
    service = new PeerService(client, { maxPerTorrent: 10, maxTotal: 100, maxPendingDials: 100 })
    service.attach(torrent(H1))
    service.attach(torrent(H2))
    service.addCandidates(H1, 'tracker', peers(10))
    service.addCandidates(H2, 'dht', peers(10, 100))
    expect(dials).toHaveLength(4)
  })

  it('new candidates for one torrent dial it without walking the others: with 1,000 torrents each announce answer asked all of them', () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPendingDials: 100 })
    let asked = 0
    for (let i = 0; i < 1000; i++) {
      const infoHash = i.toString(16).padStart(40, '0')
      // a getter, as the engine's view has (a spread into torrent() would read it once)
      service.attach(Object.defineProperty(torrent(infoHash), 'done', { get() { asked++; return true } }))
      // the seeds know a peer too (the tracker lists the seeder to them), so only `done` keeps them from dialing
      service.addCandidates(infoHash, 'tracker', peers(1))
    }
    const t = torrent(H1)
    service.attach(t)
    asked = 0
    service.addCandidates(H1, 'tracker', peers(3))
    expect(dials).toHaveLength(3)
    expect(t.added).toEqual(dials)
    expect(asked).toBe(0)
    // the timer's pump still walks them all (a due retry of any torrent)
    service.pump()
    expect(asked).toBe(1000)
  })

  it('limits dials in flight', () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPendingDials: 2 })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(5))
    expect(dials).toHaveLength(2)
    dials[0]!.handleOpened()
    service.pump()
    expect(dials).toHaveLength(3)
  })

  it('never dials one address twice, whatever the sources say', () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPendingDials: 100 })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(2))
    service.addCandidates(H1, 'dht', peers(2))
    service.addCandidates(H1, 'pex', [{ host: '8.8.0.1', port: 6881 }])
    expect(dials.map((d) => d.remoteAddress)).toEqual(['8.8.0.1', '8.8.0.2'])
  })

  it('backs off from a peer that failed and forgets it after max failures', async () => {
    let now = 1_000_000
    const { client, dials } = fakeClient()
    service = new PeerService(client, { backoff: { minMs: 1000, maxMs: 10_000, jitter: 0 }, maxFailures: 2, now: () => now })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(1))
    expect(dials).toHaveLength(1)
    dials[0]!.handleClose(CloseCode.ConnectFailed, 'refused')
    await tick()
    expect(dials).toHaveLength(1) // not before the backoff
    now += 999
    service.pump()
    expect(dials).toHaveLength(1)
    now += 1
    service.pump()
    expect(dials).toHaveLength(2)
    dials[1]!.handleClose(CloseCode.ConnectFailed, 'refused')
    await tick()
    expect(service.candidateCount(H1)).toBe(0)
  })

  it('counts a dial that opened but got no handshake (a tarpit, or garbage) as a failure: backs off, then forgets it', async () => {
    let now = 1_000_000
    const { client, dials } = fakeClient()
    service = new PeerService(client, { backoff: { minMs: 1000, maxMs: 10_000, jitter: 0 }, maxFailures: 3, redialAfterMs: 500, now: () => now })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(1))
    dials[0]!.handleOpened() // TCP up, then silence until the bridge's idle timeout
    dials[0]!.handleClose(CloseCode.Idle, 'no traffic')
    await tick()
    now += 999
    service.pump()
    expect(dials).toHaveLength(1) // the backoff, not the redial delay of a working peer
    now += 1
    service.pump()
    expect(dials).toHaveLength(2)
    dials[1]!.handleOpened()
    dials[1]!.handleData(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n'.repeat(3))) // garbage
    dials[1]!.handleClose(CloseCode.PeerClosed, 'bye')
    await tick()
    now += 1999
    service.pump()
    expect(dials).toHaveLength(2) // the second failure doubles it
    now += 1
    service.pump()
    expect(dials).toHaveLength(3)
    dials[2]!.handleOpened()
    dials[2]!.destroy() // the page (webtorrent's handshake timeout) gave up on it
    await tick()
    expect(service.candidateCount(H1)).toBe(0)
  })

  it('counts a dial as working once the peer\'s handshake and a first message came: redials after the redial delay, failures reset', async () => {
    let now = 1_000_000
    const { client, dials } = fakeClient()
    service = new PeerService(client, { backoff: { minMs: 1000, maxMs: 10_000, jitter: 0 }, maxFailures: 2, redialAfterMs: 5000, now: () => now })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(1))
    dials[0]!.handleClose(CloseCode.ConnectFailed, 'refused') // one failure
    await tick()
    now += 1000
    service.pump()
    const hs = new Uint8Array(68)
    hs[0] = 19
    hs.set(new TextEncoder().encode('BitTorrent protocol'), 1)
    hs.fill(0x11, 28, 48) // H1
    dials[1]!.handleOpened()
    dials[1]!.handleData(hs.subarray(0, 30))
    dials[1]!.handleData(hs.subarray(30))
    expect(dials[1]!.greeted).toBe(false) // the handshake alone: a tarpit may echo ours
    dials[1]!.handleData(Uint8Array.of(0, 0, 0, 1, 15)) // have_none (BEP 6)
    expect(dials[1]!.greeted).toBe(true)
    dials[1]!.handleClose(CloseCode.PeerClosed, 'bye')
    await tick()
    now += 4999
    service.pump()
    expect(dials).toHaveLength(2)
    now += 1
    service.pump()
    expect(dials).toHaveLength(3)
    dials[2]!.handleClose(CloseCode.ConnectFailed, 'refused') // failures were reset: one, not two, so it is kept
    await tick()
    expect(service.candidateCount(H1)).toBe(1)
  })

  it('does not count the bridge\'s caps against the peer: a dial refused as too many goes again within two seconds, however often', async () => {
    let now = 1_000_000
    const { client, dials } = fakeClient()
    service = new PeerService(client, { backoff: { minMs: 60_000, maxMs: 60_000, jitter: 0 }, maxFailures: 2, now: () => now })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(1))
    const codes = [CloseCode.RateLimited, CloseCode.TooManyStreams, CloseCode.Overloaded, CloseCode.RateLimited]
    for (const [i, code] of codes.entries()) {
      dials[i]!.handleClose(code, 'busy')
      await tick()
      expect(service.candidateCount(H1)).toBe(1)
      now += 2000
      service.pump()
      expect(dials).toHaveLength(i + 2)
    }
  })

  it('does not count a lost bridge against the peer', async () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { backoff: { minMs: 60_000, maxMs: 60_000, jitter: 0 } })
    service.attach(torrent(H1))
    service.addCandidates(H1, 'tracker', peers(1))
    dials[0]!.destroy(new AppError('BRIDGE_UNAVAILABLE', 'lost'))
    await tick()
    expect(dials).toHaveLength(2) // re-dialed at once
  })

  it('counts connected peers by source, incoming included', async () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPendingDials: 100 })
    const t = torrent(H1)
    service.attach(t)
    service.addCandidates(H1, 'tracker', peers(2))
    service.addCandidates(H1, 'dht', peers(1, 50))
    for (const d of dials) d.handleOpened()
    const inbound = new BridgeStream(2, H1, { host: '9.9.9.9', port: 5000 }, 'inbound', link)
    client.emit('incoming', inbound)
    expect(t.added).toContain(inbound)
    expect(service.counts(H1)).toEqual({ tracker: 2, dht: 1, pex: 0, magnet: 0, incoming: 1, lsd: 0 })
    dials[0]!.handleClose(CloseCode.PeerClosed, 'bye')
    await tick()
    expect(service.counts(H1).tracker).toBe(1)
  })

  it('says which way an open bridged connection was made, for PEX; nothing for one not open or not bridged', async () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPendingDials: 100 })
    service.attach(torrent(H1))
    const [a, b] = peers(2)
    service.addCandidates(H1, 'pex', [a!, b!])
    dials[0]!.handleOpened()
    client.emit('incoming', new BridgeStream(2, H1, { host: '2001:DB8::9', port: 5000 }, 'inbound', link))
    expect(service.direction(H1, a!)).toBe('outbound')
    expect(service.direction(H1, b!)).toBeUndefined() // dialing, not yet open
    expect(service.direction(H1, { host: '2001:db8::9', port: 5000 })).toBe('inbound')
    expect(service.direction(H1, { host: '192.0.2.1', port: 6881 })).toBeUndefined()
    expect(service.direction(H2, a!)).toBeUndefined()
    dials[0]!.handleClose(CloseCode.PeerClosed, 'bye')
    await tick()
    expect(service.direction(H1, a!)).toBeUndefined()
  })

  it('closes inbound streams for torrents it does not know; does not dial paused or finished torrents', () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client)
    const inbound = new BridgeStream(2, H2, { host: '9.9.9.9', port: 5000 }, 'inbound', link)
    client.emit('incoming', inbound)
    expect(inbound.destroying).toBe(true)
    service.attach(torrent(H1, { paused: true }))
    service.attach(torrent(H2, { done: true }))
    service.addCandidates(H1, 'tracker', peers(3))
    service.addCandidates(H2, 'tracker', peers(3))
    expect(dials).toHaveLength(0)
  })
  it('never dials nor lets in a host banned for a torrent (any port), across a stop and start; other torrents still reach it', () => {
    const { client, dials } = fakeClient()
    service = new PeerService(client, { maxPendingDials: 100 })
    service.attach(torrent(H1))
    service.attach(torrent(H2))
    const liar = { host: '8.8.4.4', port: 6881 }
    service.addCandidates(H1, 'tracker', [{ host: '8.8.4.4', port: 7000 }])
    expect(dials).toHaveLength(1)
    service.ban(H1, liar)
    service.addCandidates(H1, 'tracker', [liar, { host: '8.8.4.4', port: 7001 }, { host: '1.1.1.1', port: 6881 }])
    expect(dials.map((d) => d.remoteAddress)).toEqual(['8.8.4.4', '1.1.1.1'])
    const inbound = new BridgeStream(2, H1, { host: '8.8.4.4', port: 5000 }, 'inbound', link)
    client.emit('incoming', inbound)
    expect(inbound.destroying).toBe(true)
    // the same torrent stopped and started again in this page: still banned
    service.detach(H1)
    service.attach(torrent(H1))
    service.addCandidates(H1, 'dht', [liar])
    expect(dials).toHaveLength(2)
    // another torrent: not its business
    service.addCandidates(H2, 'tracker', [liar])
    expect(dials.at(-1)?.infoHash).toBe(H2)
  })
})
