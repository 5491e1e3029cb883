// Bridges scale out with no shared state: two bridge processes, a page on each, each page's
// inbound peers reach the bridge that holds its torrent (and only that one), and stopping one
// bridge leaves the other's page downloading to the end, byte-exact.
import { mkdtemp, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bridgeUrl } from '../../src/bridge-client/bridge-client'
import { FrameType, type BridgeToPageFrame } from '../../src/protocol/bridge-frames'
import { multiFileFixture, sha256File, writeFixture } from '../support/fixtures'
import type { Daemon } from '../support/peers/process'
import { spawnServerProcess } from '../support/server-process'
import { startSeeder, type Seeder } from '../support/seeder'
import { startTracker, type LocalTracker } from '../support/tracker'
import { handshakeBytes, randomPeerId, rawPage, tempDir, type TestBridge } from './harness'
import { startPage, waitDone } from './node-page'

/** A bridge as its own process, shaped as the in-process harness's for the Node page. */
async function bridgeProcess(appDir: string): Promise<TestBridge & { daemon: Daemon }> {
  const { daemon, url, peerPort } = await spawnServerProcess(['--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--app-dir', appDir,
    '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-bootstrap', 'none', '--allow-net', '127.0.0.0/8', '--port-mapping', 'off'], 120_000)
  return { daemon, running: undefined as never, origin: url.replace(/\/$/, ''), wsUrl: bridgeUrl(url), peerPort, close: () => daemon.stop() }
}

/** Whether a handshake for `infoHash` on `port` is taken (the socket stays open) or closed. */
function handshakeTaken(port: number, infoHash: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(handshakeBytes(infoHash)))
    const timer = setTimeout(() => { socket.destroy(); resolve(true) }, 1500)
    socket.on('close', () => { clearTimeout(timer); resolve(false) })
    socket.on('error', () => {})
  })
}

describe('two bridges', () => {
  let tracker: LocalTracker
  const seeders: Seeder[] = []
  const sums: Map<string, string>[] = []
  let a: Awaited<ReturnType<typeof bridgeProcess>>
  let b: Awaited<ReturnType<typeof bridgeProcess>>
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('two-bridges-')
    const appDir = await mkdtemp(join(tmpdir(), 'two-bridges-app-'))
    await writeFile(join(appDir, 'index.html'), '<!doctype html><title>test</title>')
    tracker = await startTracker()
    for (const name of ['one', 'two']) {
      const fixture = await writeFixture(join(tmp.dir, `src-${name}`), name, multiFileFixture(12), name === 'one' ? 1 : 2)
      sums.push(fixture.sha256)
      // slow enough that the second download is still going when the first bridge stops
      seeders.push(await startSeeder({ root: fixture.root, announce: [tracker.httpUrl], webrtc: false, tcpPort: 0, uploadLimit: 2_000_000 }))
    }
    ;[a, b] = await Promise.all([bridgeProcess(appDir), bridgeProcess(appDir)])
  }, 180_000)

  afterAll(async () => {
    await a?.daemon.stop()
    await b?.daemon.stop()
    for (const s of seeders) await s.destroy()
    await tracker?.close()
    await tmp?.remove()
  })

  it('inbound peers reach only the bridge that holds their torrent', async () => {
    const pa = await rawPage(a.wsUrl, { origin: a.origin })
    const pb = await rawPage(b.wsUrl, { origin: b.origin })
    pa.send({ type: FrameType.Register, infoHash: seeders[0]!.infoHash, peerId: randomPeerId() })
    pb.send({ type: FrameType.Register, infoHash: seeders[1]!.infoHash, peerId: randomPeerId() })
    await new Promise((r) => setTimeout(r, 200))
    expect(await handshakeTaken(a.peerPort, seeders[0]!.infoHash)).toBe(true)
    expect(await pa.next((f): f is BridgeToPageFrame => f.type === FrameType.Incoming)).toMatchObject({ infoHash: seeders[0]!.infoHash })
    expect(await handshakeTaken(b.peerPort, seeders[0]!.infoHash)).toBe(false) // B knows nothing of it
    expect(await handshakeTaken(a.peerPort, seeders[1]!.infoHash)).toBe(false)
    pa.close()
    pb.close()
  })

  it('a bridge stopped mid-download leaves the other bridge\'s page downloading to the end, byte-exact', async () => {
    const one = await startPage(a, seeders[0]!.torrentFile, join(tmp.dir, 'page-a'), { trackers: [tracker.httpUrl], dht: false })
    const two = await startPage(b, seeders[1]!.torrentFile, join(tmp.dir, 'page-b'), { trackers: [tracker.httpUrl], dht: false })
    try {
      const start = Date.now()
      while (two.torrent.downloaded < 1024 * 1024 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 50))
      expect(two.torrent.progress).toBeLessThan(1) // still going when A stops
      await a.daemon.stop()
      await waitDone(two, 90_000, 'the download through the bridge that stayed')
      for (const [path, hash] of sums[1]!) expect(await sha256File(join(tmp.dir, 'page-b', 'two', ...path.split('/'))), path).toBe(hash)
      expect(one.client.state).not.toBe('connected')
    } finally {
      await one.close()
      await two.close()
    }
  }, 150_000)
})
