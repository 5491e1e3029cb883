// Trackers are strangers: every malformed or hostile answer we could think of, over HTTP and
// UDP, against the real bridge, with a second page that must keep working. Each shape gets its
// own torrent, so each tracker's state and peers can be checked on their own.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalHost, peerKey } from '../../src/core/peer-address'
import { MAX_TRACKER_PEERS } from '../../src/core/tracker-communication/tracker-response'
import { FrameType, type BridgeToPageFrame, type PeersFrame, type TrackerFrame } from '../../src/protocol/bridge-frames'
import { HTTP_CORPUS, startHostileHttpTracker, startHostileUdpTrackers, UDP_CORPUS, type HostileHttpTracker, type HostileUdpTracker } from '../support/hostile-tracker'
import { randomPeerId, rawPage, startTestBridge, waitFor, type RawPage, type TestBridge } from './harness'

const hashOf = (name: string) => createHash('sha1').update(name).digest('hex')
const isPeers = (f: BridgeToPageFrame): f is PeersFrame => f.type === FrameType.Peers

describe('hostile trackers', () => {
  let bridge: TestBridge
  let http: HostileHttpTracker
  let udp: HostileUdpTracker
  let page: RawPage
  /** Shape name -> its torrent's last tracker state, and the peers the page was given for it. */
  const states = new Map<string, TrackerFrame>()
  const peers = new Map<string, string[]>()
  const cases = [
    ...Object.keys(HTTP_CORPUS).map((name) => ({ name: `http:${name}`, url: () => http.url(name), valid: HTTP_CORPUS[name]!.valid })),
    ...Object.keys(UDP_CORPUS).map((name) => ({ name: `udp:${name}`, url: () => udp.url(name), valid: UDP_CORPUS[name]!.valid })),
  ]
  const byHash = new Map(cases.map((c) => [hashOf(c.name), c.name]))

  beforeAll(async () => {
    http = await startHostileHttpTracker()
    udp = await startHostileUdpTrackers()
    bridge = await startTestBridge()
    page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    page.onFrame((f) => {
      const name = 'infoHash' in f ? byHash.get(f.infoHash) : undefined
      if (!name) return
      if (f.type === FrameType.Tracker) states.set(name, f)
      if (f.type === FrameType.Peers) peers.set(name, [...peers.get(name) ?? [], ...f.peers.map(peerKey)])
    })
    for (const c of cases) {
      const infoHash = hashOf(c.name)
      page.send({ type: FrameType.Register, infoHash, peerId: randomPeerId() })
      page.send({ type: FrameType.Announce, infoHash, event: 'started', trackers: [c.url()], dht: false, uploaded: 0, downloaded: 0, left: 1000 })
    }
    // a silent UDP tracker takes its three tries: every tracker has answered or failed well before 30 s
    await waitFor(() => cases.every((c) => states.get(c.name) && states.get(c.name)!.state !== 'announcing'), 30_000, 'every hostile tracker answered or failed')
  }, 40_000)

  afterAll(async () => {
    page?.close()
    await bridge?.close()
    await http?.close()
    await udp?.close()
  })

  it('the page that asked is still connected, and a second page is served', async () => {
    expect(page.ws.readyState).toBe(page.ws.OPEN)
    const second = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    const infoHash = hashOf('second page')
    second.send({ type: FrameType.Register, infoHash, peerId: randomPeerId() })
    second.send({ type: FrameType.Announce, infoHash, event: 'started', trackers: [http.url('good')], dht: false, uploaded: 0, downloaded: 0, left: 1 })
    expect((await second.next(isPeers, 10_000)).peers).toEqual([{ host: '1.0.0.1', port: 6881 }])
    second.close()
  })

  it('every peer given to the page is a canonical address and port', () => {
    for (const [name, list] of peers) {
      for (const key of list) {
        const m = /^\[?(.+?)\]?:(\d+)$/.exec(key)!
        expect(canonicalHost(m[1]), `${name}: ${key}`).toBe(m[1])
        expect(Number(m[2]), `${name}: ${key}`).toBeGreaterThan(0)
      }
    }
  })

  it.each(cases.filter((c) => c.valid).map((c) => [c.name, c.valid!]))('%s: the page gets exactly the usable peers', (name, valid) => {
    expect(states.get(name)!.state, states.get(name)!.message).toBe('working')
    expect(peers.get(name) ?? []).toEqual(valid)
  })

  it('malformed peer entries are dropped, the answer still counts', () => {
    for (const name of ['ip-integer', 'ip-list', 'ip-dict', 'ip-scoped-v6', 'ip-hostname', 'ip-inet-aton', 'ip-100k-dots', 'ip-missing', 'peers-not-dicts', 'peers-integer', 'compact6-truncated']) {
      expect(states.get(`http:${name}`), name).toMatchObject({ state: 'working', peers: 0 })
      expect(peers.get(`http:${name}`), name).toBeUndefined()
    }
  })

  it('a 100,000-peer answer (and a 10,000-peer datagram) gives the page at most MAX_TRACKER_PEERS of them', () => {
    for (const name of ['http:compact-100k', 'udp:huge-datagram']) {
      expect(states.get(name), name).toMatchObject({ state: 'working', peers: MAX_TRACKER_PEERS })
      expect(peers.get(name), name).toHaveLength(MAX_TRACKER_PEERS)
    }
  })

  it('answers that are not announces end as errors with a reason a person can read', () => {
    const message = (name: string) => {
      const s = states.get(name)!
      expect(s.state, name).toBe('error')
      return s.message
    }
    expect(message('http:html')).toMatch(/not bencode \(it looks like a web page\)/)
    expect(message('http:empty')).toMatch(/not bencode \(it was empty\)/)
    expect(message('http:garbage')).toMatch(/not bencode/)
    expect(message('http:deep-nesting')).toMatch(/not bencode/)
    expect(message('http:failure-string')).toBe('it says: torrent not registered')
    expect(message('http:failure-integer')).toBe('it says: failed, with no reason given')
    expect(message('http:failure-list')).toBe('it says: failed, with no reason given')
    expect(message('http:failure-empty')).toBe('it says: failed, with no reason given')
    // control characters become spaces, the text is clipped
    expect(message('http:failure-control-chars')).toMatch(/^it says: .{0,200}$/)
    expect(message('http:status-500')).toBe('HTTP 500')
    expect(message('http:status-404')).toBe('HTTP 404')
    expect(message('http:body-10mb')).toMatch(/over 1048576 bytes/)
    expect(message('http:length-lies')).toMatch(/cut off|ECONNRESET|aborted|socket hang up/i)
    expect(message('http:redirect-loop')).toMatch(/more than 3 redirects/)
    expect(message('udp:wrong-transaction')).toMatch(/no answer to 3 connect requests/)
    expect(message('udp:short-packets')).toMatch(/no answer/)
    expect(message('udp:unknown-action')).toMatch(/no answer/)
    expect(message('udp:silent')).toMatch(/no answer/)
    expect(message('udp:error-binary')).toMatch(/^it says: /)
  })

  it('redirects into refused places are refused, each hop checked', () => {
    for (const name of ['redirect-metadata', 'redirect-v6-loopback', 'redirect-file']) {
      expect(states.get(`http:${name}`), name).toMatchObject({ state: 'refused' })
    }
    expect(states.get('http:redirect-metadata')!.message).toMatch(/169\.254\.169\.254 is a linkLocal address/)
    expect(states.get('http:redirect-v6-loopback')!.message).toMatch(/::1 is a loopback address/)
  })

  it('an interval of -1 or 0 is not taken at its word: no second announce within the floor', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000))
    expect(http.requests.get('interval-negative')).toBe(1)
    expect(http.requests.get('interval-zero')).toBe(1)
    expect(http.requests.get('interval-text')).toBe(1)
    expect(udp.requests.get('interval-zero')).toBe(2) // connect, announce
  })
})
