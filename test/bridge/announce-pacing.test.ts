// 1,000 torrents' announces all reach the bridge (issue 17). The bridge takes a page's ANNOUNCE
// frames at a rate after a burst and drops the rest; the page once sent every torrent's 'started'
// (on adding a library, on each reconnect) and every minute's stats refresh in one go, so past the
// burst the same torrents lost theirs each time. Here the bridge's burst is 100 and its rate 500 a
// second (a faster clock than the default 600 and 20, the same shape), and the page's Discovery
// sends 1,000 'started' and then 1,000 refreshes: every torrent's tracker state comes back, and
// the bridge never says it dropped one.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { Discovery, type DiscoveryStats } from '../../src/engine/peer-discovery/discovery'
import type { PeerService } from '../../src/engine/peer-connection/peers'
import { connectClient, randomPeerId, startTestBridge, waitFor, type TestBridge } from './harness'

const LIBRARY = 1000
// a udp tracker URL without a port: the bridge refuses it at once with a TRACKER frame, so each
// announce that arrives shows on the page without any traffic leaving the machine
const TRACKER = 'udp://127.0.0.1'
const SECOND_TRACKER = 'udp://127.0.0.2'

describe('announce pacing', () => {
  let bridge: TestBridge
  let client: BridgeClient | undefined
  let discovery: Discovery | undefined

  beforeAll(async () => {
    bridge = await startTestBridge([], { announcesPerSecond: 500, announceBurst: 100 })
  })

  afterAll(async () => {
    discovery?.destroy()
    client?.close()
    await bridge?.close()
  })

  it('1,000 torrents\' started and refreshes all reach the bridge, none dropped; unchanged stats send nothing', async () => {
    const c = await connectClient(bridge)
    client = c
    expect(c.welcome).toMatchObject({ announceRate: 500, announceBurst: 100 })
    const notices: string[] = []
    c.on('notice', (_infoHash, message) => notices.push(message))
    const seen = new Map<string, Set<string>>()
    c.on('tracker', (frame) => {
      const urls = seen.get(frame.infoHash) ?? new Set()
      urls.add(frame.url)
      seen.set(frame.infoHash, urls)
    })
    const handed: string[] = []
    const announce = c.announce.bind(c)
    c.announce = (infoHash, event, req) => {
      handed.push(event)
      announce(infoHash, event, req)
    }

    // the peers Discovery reports go nowhere here: no peer is dialled in this test
    const peers = { addCandidates() {} } as unknown as PeerService
    discovery = new Discovery(c, peers, { dht: false, statsIntervalMs: 200 })
    const stats = new Map<string, DiscoveryStats>()
    const hashes = Array.from({ length: LIBRARY }, () => randomBytes(20).toString('hex'))
    for (const infoHash of hashes) {
      stats.set(infoHash, { uploaded: 0, downloaded: 0, left: 1000 })
      discovery.add({ infoHash, peerId: randomPeerId(), trackers: [TRACKER], stats: () => stats.get(infoHash)! })
    }
    await waitFor(() => hashes.every((h) => seen.get(h)?.has(TRACKER)), 30_000, 'every torrent\'s started at the bridge')

    // every torrent's stats change: the next refresh sends all 1,000, paced
    const before = handed.filter((e) => e === 'none').length
    for (const infoHash of hashes) stats.set(infoHash, { uploaded: 5, downloaded: 10, left: 990 })
    await waitFor(() => handed.filter((e) => e === 'none').length >= before + LIBRARY && c.pendingAnnounces === 0, 30_000, 'the refreshes sent')
    // nothing changed since: the refreshes that follow send nothing
    const after = handed.filter((e) => e === 'none').length
    expect(after).toBe(before + LIBRARY)
    await new Promise((r) => setTimeout(r, 600))
    expect(handed.filter((e) => e === 'none').length).toBe(after)

    // frames reach the bridge in order: once a last announce's answer is back, any notice of a
    // dropped one from before is back too
    discovery.update(hashes[0]!, [TRACKER, SECOND_TRACKER])
    await waitFor(() => seen.get(hashes[0]!)?.has(SECOND_TRACKER) === true, 10_000, 'the last announce answered')
    expect(notices.filter((m) => /dropped/.test(m))).toEqual([])
    expect(c.state).toBe('connected')
  }, 60_000)
})
