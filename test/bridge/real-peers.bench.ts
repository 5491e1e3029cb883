// The bench anchor for issue 3, on loopback: one qbittorrent-nox seeds a SIZE MiB multi-file
// torrent (mktorrent, HTTP tracker); first aria2c downloads it straight from qbittorrent-nox, then
// the Node "page" (webtorrent + BridgeClient + PeerService + Discovery) downloads it through a
// bridge running as its own process (the compiled `node dist-server/main.js`), whose RSS is sampled.
// Both results are checked byte-exact. Not a vitest file: run it with
//   npx tsx test/bridge/real-peers.bench.ts [SIZE_MIB]       (default 256)
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Discovery } from '../../src/engine/peer-discovery/discovery'
import { PeerService } from '../../src/engine/peer-connection/peers'
import { createLoopbackClient, destroyClient } from '../support/client'
import { multiFileFixture, sha256File, writeFixture } from '../support/fixtures'
import { startAria2Leecher } from '../support/peers/aria2'
import { makeTorrent } from '../support/peers/mktorrent'
import { processMemory, stopAllDaemons, type Daemon } from '../support/peers/process'
import { spawnServerProcess } from '../support/server-process'
import { startQbittorrent } from '../support/peers/qbittorrent'
import { startTracker } from '../support/tracker'
import type { TestBridge } from './harness'
import { connectClient, tempDir, waitFor } from './harness'

const SIZE_MIB = Number(process.argv[2] ?? 256)

/** The bridge as its own process, so its memory is its own. */
async function startBridgeProcess(): Promise<{ daemon: Daemon; bridge: TestBridge }> {
  const appDir = await mkdtemp(join(tmpdir(), 'bench-app-'))
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>bench</title>')
  const { daemon, url, peerPort } = await spawnServerProcess([
    '--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--trackers', 'ws://127.0.0.1:9',
    '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-port', '0', '--no-dht',
    '--allow-net', '127.0.0.0/8', '--app-dir', appDir,
  ], 20_000)
  const origin = url.replace(/\/$/, '')
  const bridge = {
    origin,
    wsUrl: `${origin.replace(/^http/, 'ws')}/bridge`,
    peerPort,
    running: undefined as never,
    close: () => daemon.stop(),
  }
  return { daemon, bridge }
}

async function main(): Promise<void> {
  const tmp = await tempDir('bench-real-')
  const tracker = await startTracker()
  try {
    const dataDir = join(tmp.dir, 'data')
    console.log(`writing a ${SIZE_MIB} MiB fixture…`)
    const { sha256 } = await writeFixture(dataDir, 'payload', multiFileFixture(SIZE_MIB))
    const made = await makeTorrent({ path: join(dataDir, 'payload'), announce: [tracker.httpUrl], pieceLengthLog2: 20 })
    const bytes = made.meta.length
    const qbt = await startQbittorrent()
    await qbt.seed(made.torrent, made.infoHash, dataDir, 120_000)
    const verify = async (dir: string) => {
      for (const [path, hash] of sha256) {
        if ((await sha256File(join(dir, 'payload', ...path.split('/')))) !== hash) throw new Error(`${dir}: ${path} differs`)
      }
    }

    // 1. aria2c straight from qbittorrent-nox
    const aria2Dir = join(tmp.dir, 'aria2')
    let t0 = Date.now()
    const aria2 = await startAria2Leecher({ torrent: made.torrent, dir: aria2Dir })
    await aria2.waitComplete(300_000)
    const aria2Secs = (Date.now() - t0) / 1000
    await aria2.stop()
    await verify(aria2Dir)
    const aria2MBps = bytes / aria2Secs / 1e6

    // 2. the Node page through the bridge process
    const { daemon, bridge } = await startBridgeProcess()
    const idle = await processMemory(daemon.pid)
    const page = await createLoopbackClient({ tcpPort: false, webrtc: false, extra: { tracker: false } })
    const pageDir = join(tmp.dir, 'page')
    const torrent = page.add(made.torrent as never, { path: pageDir })
    await new Promise<void>((r) => (torrent.infoHash ? r() : torrent.once('infoHash', () => r())))
    const client = await connectClient(bridge)
    const peers = new PeerService(client)
    const discovery = new Discovery(client, peers, { dht: false })
    peers.attach(torrent as never)
    let peakSampled = 0
    const sampler = setInterval(() => {
      processMemory(daemon.pid).then((m) => (peakSampled = Math.max(peakSampled, m.rss)), () => {})
    }, 100)
    t0 = Date.now()
    discovery.add({
      infoHash: made.infoHash,
      peerId: (page as unknown as { peerId: string }).peerId,
      trackers: [tracker.httpUrl],
      stats: () => ({ uploaded: torrent.uploaded, downloaded: torrent.downloaded, left: bytes - torrent.downloaded }),
    })
    await waitFor(() => torrent.done, 300_000, 'page download through the bridge')
    const pageSecs = (Date.now() - t0) / 1000
    clearInterval(sampler)
    const mem = await processMemory(daemon.pid)
    discovery.destroy()
    peers.destroy()
    client.close()
    await destroyClient(page)
    await daemon.stop()
    await verify(pageDir)
    const pageMBps = bytes / pageSecs / 1e6

    const mb = (n: number) => (n / 1e6).toFixed(1)
    console.log(JSON.stringify({
      sizeMiB: SIZE_MIB, bytes, pieceLength: made.meta.pieceLength,
      aria2FromQbittorrent: { seconds: +aria2Secs.toFixed(2), MBps: +aria2MBps.toFixed(1) },
      pageThroughBridge: { seconds: +pageSecs.toFixed(2), MBps: +pageMBps.toFixed(1) },
      ratioPageToAria2: +(pageMBps / aria2MBps).toFixed(2),
      bridgeRssMB: { idle: +mb(idle.rss), end: +mb(mem.rss), peakSampled: +mb(peakSampled), peakVmHWM: +mb(mem.peakRss) },
    }, null, 2))
    await qbt.stop()
  } finally {
    await stopAllDaemons()
    await tracker.close()
    await tmp.remove()
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  void stopAllDaemons().finally(() => process.exit(1))
})
