// IPv6 peers through the bridge (issue 15): qbittorrent-nox listening on ::1 only, found through an
// HTTP tracker on [::1] (whose answer gives it in `peers6`, BEP 7), downloaded from by the page;
// then the page seeds to peers that reach the bridge's peer port on :: (the default: dual-stack)
// over IPv6 and over IPv4. Every byte checked (SHA-256 of each file; SHA-1 of each piece served).
/// <reference path="../../src/engine/webtorrent/webtorrent.d.ts" />
// (the types of the page's peers list, engine/peer-connection/peer-list.ts, which these tests read)
import net from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { peerSnapshots } from '../../src/engine/peer-connection/peer-list'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { makeTorrent } from '../support/peers/mktorrent'
import { pollUntil, stopAllDaemons } from '../support/peers/process'
import { startQbittorrent, type Qbittorrent } from '../support/peers/qbittorrent'
import { startTracker, type LocalTracker } from '../support/tracker'
import type { Torrent } from '../support/webtorrent-types'
import { downloadPieces, startTestBridge, tempDir, type PipeableDuplex, type TestBridge } from './harness'
import { startPage, waitDone, type Page } from './node-page'
import { expectSameFiles } from './real-peers-checks'

const SIZE_MIB = 16
const NAME = 'payload'

/** The peers list's rows (address, source) seen while `work` runs, sampled as the page would show them. */
async function watchPeerList(p: Page, work: Promise<void>): Promise<Set<string>> {
  const seen = new Set<string>()
  const torrent = p.torrent as Torrent & { pieces: unknown[] }
  const sample = () => {
    for (const row of peerSnapshots(torrent as never, torrent.pieces?.length ?? 0, (remote: PeerAddress) => p.peers.sourceOf(p.torrent.infoHash, remote))) {
      seen.add(`${row.address} ${row.source}`)
    }
  }
  const timer = setInterval(sample, 50)
  try {
    await work
  } finally {
    clearInterval(timer)
  }
  sample()
  return seen
}

describe('IPv6 peers through the bridge', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let sha256: Map<string, string>
  let dataDir: string
  let tracker: LocalTracker
  let bridge: TestBridge

  beforeAll(async () => {
    tmp = await tempDir('ipv6-')
    dataDir = join(tmp.dir, 'data')
    sha256 = (await writeFixture(dataDir, NAME, multiFileFixture(SIZE_MIB), 6)).sha256
    tracker = await startTracker({ httpHost: '::1' })
    // the peer port on :: as users get it (its DHT node then on 0.0.0.0: bittorrent-dht has no IPv6,
    // and on :: it never even says it is listening); loopback allowed in both families (the policy
    // refuses it otherwise); no LSD nor port mapping, which would talk to this machine's networks
    bridge = await startTestBridge(['--peer-host', '::', '--allow-net', '127.0.0.0/8,::1/128', '--no-lsd', '--port-mapping', 'off'])
  }, 60_000)

  afterAll(async () => {
    await stopAllDaemons()
    await bridge?.close()
    await tracker?.close()
    await tmp?.remove()
  }, 30_000)

  it('downloads from qbittorrent-nox on ::1 only, found through a tracker on [::1]; seeds to IPv6 and IPv4 peers', async () => {
    expect(tracker.httpUrl).toMatch(/^http:\/\/\[::1\]:\d+\/announce$/)
    const made = await makeTorrent({ path: join(dataDir, NAME), announce: [tracker.httpUrl], pieceLengthLog2: 18, source: 'ipv6' })
    let qbt: Qbittorrent | undefined
    let page: Page | undefined
    try {
      qbt = await startQbittorrent({ address: '::1' })
      await qbt.seed(made.torrent, made.infoHash, dataDir, 30_000)
      // nothing of it on IPv4: the page can have found it only at [::1]
      expect(await canConnect('127.0.0.1', qbt.listenPort)).toBe(false)
      const peersFromBridge: string[] = []
      const out = join(tmp.dir, 'page')
      page = await startPage(bridge, made.torrent, out, { trackers: [tracker.httpUrl], dht: false })
      const p = page
      // the page is told the bridge takes IPv6 peers (its connectivity panel says so)
      await pollUntil(() => p.client.status?.ipv6 === true, { timeoutMs: 5000, what: 'a STATUS frame saying IPv6' })
      p.client.on('peers', (_h, source, list) => peersFromBridge.push(...list.map((peer) => `${source} ${peer.host}:${peer.port}`)))
      const rows = await watchPeerList(p, waitDone(p, 40_000, 'download from qbittorrent-nox on ::1', () => qbt!.info(made.infoHash)))
      await expectSameFiles(sha256, join(out, NAME))
      expect(peersFromBridge).toContain(`tracker ::1:${qbt.listenPort}`)
      expect(p.maxCounts.tracker).toBeGreaterThanOrEqual(1)
      // the peers list shows it, bracketed, as a tracker's peer
      expect([...rows]).toContain(`[::1]:${qbt.listenPort} tracker`)
      await pollUntil(async () => ((await qbt!.info(made.infoHash))[0]?.uploaded ?? 0) >= made.meta.length, { timeoutMs: 10_000, what: 'qBittorrent counting its upload' })

      // the page seeds: peers reach the bridge's peer port over IPv6 and over IPv4 (one socket, ::)
      const pieces = Array.from({ length: made.meta.pieceCount }, (_, i) => i).filter((i) => i % 7 === 0)
      const length = (i: number) => (i === made.meta.pieceCount - 1 ? made.meta.lastPieceLength : made.meta.pieceLength)
      const expected = pieces.reduce((sum, i) => sum + length(i), 0)
      for (const host of ['::1', '127.0.0.1']) {
        const verified = await downloadPieces(net.connect({ host, port: bridge.peerPort }) as unknown as PipeableDuplex, made.meta, pieces)
        expect(verified, `pieces served over ${host}`).toBe(expected)
      }
      expect(p.maxCounts.incoming).toBeGreaterThanOrEqual(1)
    } finally {
      await page?.close()
      await qbt?.stop()
    }
  }, 90_000)
})

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}
