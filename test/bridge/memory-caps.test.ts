// The bridge's memory caps against pages that try to break them, with the bridge as its own
// process (the compiled server, as `npm start` runs it) so its peak RSS (VmHWM) is its own.
// Bounds are generous (behaviour, not a benchmark): the bridge idles at 40-70 MB, and each of
// these attacks reached hundreds of MiB before its cap existed.
import { mkdtemp, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bridgeUrl } from '../../src/bridge-client/bridge-client'
import { FrameType, type BridgeToPageFrame, type GoodbyeFrame } from '../../src/protocol/bridge-frames'
import { processMemory, type Daemon } from '../support/peers/process'
import { spawnServerProcess } from '../support/server-process'
import { handshakeBytes, randomPeerId, rawPage, type RawPage } from './harness'

const MiB = 1024 * 1024
const RSS_BOUND = 150 * MiB
const H = 'cd'.repeat(20)
const isGoodbye = (f: BridgeToPageFrame): f is GoodbyeFrame => f.type === FrameType.Goodbye

/** A "peer" on loopback that accepts connections and never sends (or, with `read: false`, never reads) a byte. */
async function silentPeer(read: boolean): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    if (read) s.resume()
    else s.pause()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}

describe('memory caps against hostile pages', () => {
  let daemon: Daemon
  let origin: string
  let wsUrl: string
  const pages: RawPage[] = []

  // a fresh bridge for each attack: its peak RSS is that attack's alone
  beforeEach(async () => {
    const appDir = await mkdtemp(join(tmpdir(), 'caps-app-'))
    await writeFile(join(appDir, 'index.html'), '<!doctype html><title>test</title>')
    const server = await spawnServerProcess([
      '--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--app-dir', appDir,
      '--peer-port', '0', '--peer-host', '127.0.0.1', '--no-dht', '--allow-net', '127.0.0.0/8',
      // pages held back give up soon; all pages together may dial as fast as each one may (with
      // the default 100 a second in all, a busy machine refused some pages' every OPEN, and those
      // pages, holding nothing, were never closed)
      '--limit', 'maxPausedMs=3000,dialsPerSecondTotal=1000',
    ], 120_000)
    daemon = server.daemon
    origin = server.url.replace(/\/$/, '')
    wsUrl = bridgeUrl(server.url)
  }, 150_000)

  afterEach(async () => {
    for (const p of pages.splice(0)) p.close()
    await daemon?.stop()
  })

  /** Another page connects and is welcomed: the bridge is up and serving. */
  const stillServes = async () => {
    const p = await rawPage(wsUrl, { origin })
    pages.push(p)
    expect((await p.next((f): f is BridgeToPageFrame => f.type === FrameType.Welcome)).type).toBe(FrameType.Welcome)
  }

  const page = async () => {
    const p = await rawPage(wsUrl, { origin })
    pages.push(p)
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    return p
  }

  it('pages that fill every connecting stream\'s window are closed at the pre-open cap', async () => {
    // accepts, says nothing: the MSE handshake waits, so the streams stay "connecting" for 10 s
    const peer = await silentPeer(true)
    const chunk = new Uint8Array(64 * 1024)
    const attackers = await Promise.all(Array.from({ length: 8 }, () => page()))
    for (const p of attackers) {
      // the whole dial burst first (each OPEN passes the overload check: nothing is held yet),
      // then a whole window (1 MiB, within the credit the bridge gave) into each stream
      for (let k = 0; k < 40; k++) p.send({ type: FrameType.Open, stream: 1 + 2 * k, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
      for (let k = 0; k < 40; k++) {
        p.send({ type: FrameType.Data, stream: 1 + 2 * k, data: handshakeBytes(H) })
        for (let j = 0; j < 15; j++) p.send({ type: FrameType.Data, stream: 1 + 2 * k, data: chunk })
        p.send({ type: FrameType.Data, stream: 1 + 2 * k, data: chunk.subarray(68) })
      }
    }
    for (const p of attackers) {
      expect((await p.next(isGoodbye, 30_000)).reason).toMatch(/more than 65536 bytes before the connection opened/)
    }
    const { peakRss } = await processMemory(daemon.child.pid!)
    // before the cap: 402.8 MiB (8 pages x 40 streams x 1 MiB held)
    console.log(`pre-open flood (8 pages x 40 streams x 1 MiB offered): bridge peak RSS ${(peakRss / MiB).toFixed(1)} MiB`)
    expect(peakRss).toBeLessThan(RSS_BOUND)
    await stillServes()
    peer.close()
  }, 60_000)

  it('a page that never reads its WebSocket is held back, then dropped', async () => {
    const p = await rawPage(wsUrl, { origin })
    pages.push(p)
    p.ws.pause() // reads nothing from here on
    // each of these asks for a NOTICE back ("announce for a torrent this page did not register")
    for (let i = 0; i < 400_000; i++) {
      p.send({ type: FrameType.Announce, infoHash: H, event: 'none', trackers: [], dht: false, uploaded: i, downloaded: 0, left: 0 })
    }
    // a paused socket does not see its connection end: look once the bridge's patience (3 s) is over
    await new Promise((r) => setTimeout(r, 6000))
    p.ws.resume()
    const closed = await Promise.race([p.closed, new Promise<null>((r) => setTimeout(() => r(null), 10_000))])
    expect(closed, 'the bridge dropped the page').not.toBeNull()
    const { peakRss } = await processMemory(daemon.child.pid!)
    // before the cap: 396.0 MiB
    console.log(`non-reading page (400,000 requests for replies): bridge peak RSS ${(peakRss / MiB).toFixed(1)} MiB`)
    expect(peakRss).toBeLessThan(RSS_BOUND)
    await stillServes()
  }, 60_000)


})
