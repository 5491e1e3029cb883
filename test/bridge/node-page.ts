// A Node "page" for the bridge tests with real clients: webtorrent with no TCP, trackers or DHT of
// its own, every peer reaching it through BridgeClient + PeerService + Discovery and the bridge.
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { Discovery } from '../../src/engine/peer-discovery/discovery'
import { PeerService, type PeerCounts } from '../../src/engine/peer-connection/peers'
import { createLoopbackClient, destroyClient } from '../support/client'
import type { LocalTracker } from '../support/tracker'
import type { Torrent, WebTorrent } from '../support/webtorrent-types'
import { connectClient, waitFor, type TestBridge } from './harness'

export interface Page {
  page: WebTorrent
  torrent: Torrent
  client: BridgeClient
  peers: PeerService
  discovery: Discovery
  /** The most connected peers seen at once, by source (PeerService 'counts' events). */
  maxCounts: PeerCounts
  close(): Promise<void>
}

/**
 * A Node "page" on `bridge`: webtorrent with no discovery or TCP of its own, PeerService and
 * Discovery wired to a BridgeClient. `source` is a .torrent (bytes) or a magnet; `path` the
 * folder the torrent's root goes in (if the data is already there, it seeds after checking).
 */
export async function startPage(bridge: TestBridge, source: Uint8Array | string, path: string, discovery: { trackers: string[]; dht: boolean }): Promise<Page> {
  const page = await createLoopbackClient({ tcpPort: false, webrtc: false, extra: { tracker: false } })
  let client: BridgeClient | undefined
  try {
    const torrent: Torrent = page.add(source as never, { path })
    await new Promise<void>((resolve) => (torrent.infoHash ? resolve() : torrent.once('infoHash', () => resolve())))
    client = await connectClient(bridge)
    const peers = new PeerService(client)
    const maxCounts: PeerCounts = { tracker: 0, dht: 0, pex: 0, magnet: 0, incoming: 0, lsd: 0 }
    peers.on('counts', (_h, counts) => {
      for (const k of Object.keys(maxCounts) as (keyof PeerCounts)[]) maxCounts[k] = Math.max(maxCounts[k], counts[k])
    })
    const disc = new Discovery(client, peers, { dht: discovery.dht, statsIntervalMs: 2000 })
    peers.attach(torrent as never)
    disc.add({
      infoHash: torrent.infoHash,
      peerId: (page as unknown as { peerId: string }).peerId,
      trackers: discovery.trackers,
      stats: () => ({
        uploaded: torrent.uploaded,
        downloaded: torrent.downloaded,
        left: torrent.length ? Math.max(0, torrent.length - torrent.downloaded) : -1,
      }),
    })
    // as the engine does: a torrent that completes (or is complete once checked) tells its trackers
    torrent.on('done', () => disc.completed(torrent.infoHash))
    if (torrent.done) disc.completed(torrent.infoHash)
    const c = client
    return {
      page, torrent, client: c, peers, discovery: disc, maxCounts,
      async close() {
        disc.destroy()
        peers.destroy()
        c.close()
        await destroyClient(page)
      },
    }
  } catch (err) {
    client?.close()
    await destroyClient(page)
    throw err
  }
}

/** Waits for the page's torrent to complete; on timeout, says where it stood (and what the peer says). */
export async function waitDone(p: Page, timeoutMs: number, what: string, peerState?: () => Promise<unknown>): Promise<void> {
  try {
    await waitFor(() => p.torrent.done, timeoutMs, what)
  } catch (err) {
    const state = {
      downloaded: p.torrent.downloaded,
      length: p.torrent.length,
      wires: p.torrent.wires.length,
      counts: p.peers.counts(p.torrent.infoHash),
      candidates: p.peers.candidateCount(p.torrent.infoHash),
      bridge: p.client.state,
      peer: peerState ? await peerState().catch((e: Error) => e.message) : undefined,
    }
    throw new Error(`${(err as Error).message}: ${JSON.stringify(state)}`)
  }
}

/**
 * A page that seeds `made` from the data already in `dataDir`, announced to `tracker` over HTTP:
 * resolves once it has checked its data and the tracker counts it complete (the bridge announced
 * it with its peer port).
 */
export async function startSeedingPage(bridge: TestBridge, made: { torrent: Uint8Array; infoHash: string }, dataDir: string, tracker: LocalTracker): Promise<Page> {
  const p = await startPage(bridge, made.torrent, dataDir, { trackers: [tracker.httpUrl], dht: false })
  try {
    await waitFor(() => p.torrent.done, 30_000, 'the page has checked its data')
    await waitFor(() => (tracker.server.torrents[made.infoHash]?.complete ?? 0) >= 1, 10_000, 'the page in the tracker swarm')
    return p
  } catch (err) {
    await p.close()
    throw err
  }
}
