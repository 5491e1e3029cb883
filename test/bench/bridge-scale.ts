/**
 * Scale: the bridge (compiled, its own process) with 1,000 peer connections, idle and then
 * exchanging, relayed to four Node "pages" (raw frames: a page holds 300 at most). Measures the
 * bridge's RSS and CPU (from /proc) in each state. Part of `npm run bench`; alone:
 *   node --import tsx test/bench/bridge-scale.ts
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bridgeUrl } from '../../src/bridge-client/bridge-client'
import { FrameType, STREAM_WINDOW, type BridgeToPageFrame } from '../../src/protocol/bridge-frames'
import { handshakeBytes, randomPeerId, rawPage, type RawPage } from '../bridge/harness'
import { processMemory } from '../support/peers/process'
import { spawnServerProcess } from '../support/server-process'

const PEERS = Number(process.env.BENCH_SCALE_PEERS ?? 1000)
const PAGES = 4
const MEASURE_S = 10
const MiB = 1024 * 1024

export interface ScaleResult {
  peers: number
  idleRssMiB: number
  baseRssMiB: number
  idleCpuPercent: number
  busyRssMiB: number
  busyCpuPercent: number
  busyMBps: number
  peakRssMiB: number
}

/** The process's user+system CPU time, in seconds (/proc/PID/stat, clock ticks of 100 Hz). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function cpuPercentOver(pid: number, seconds: number): Promise<number> {
  const before = await cpuSeconds(pid)
  await new Promise((r) => setTimeout(r, seconds * 1000))
  return ((await cpuSeconds(pid)) - before) / seconds * 100
}

/** A peer from its own loopback address (the bridge lets one address hold a few pending slots only). */
function peer(port: number, infoHash: string, index: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: `127.0.${2 + (index >> 8)}.${1 + (index & 0xff) % 254}` })
    const timer = setTimeout(() => { socket.destroy(); resolve(null) }, 15_000)
    let got = 0
    socket.on('error', () => { clearTimeout(timer); resolve(null) })
    socket.on('connect', () => socket.write(handshakeBytes(infoHash)))
    socket.on('data', (d) => {
      got += d.length
      if (got >= 68) { clearTimeout(timer); resolve(socket) }
    })
  })
}

/** A page that answers every incoming peer with its handshake and grants credit for all it reads. */
function servePage(page: RawPage, infoHash: string): { received: () => number } {
  let received = 0
  const owed = new Map<number, number>()
  page.onFrame((f: BridgeToPageFrame) => {
    if (f.type === FrameType.Incoming) page.send({ type: FrameType.Data, stream: f.stream, data: handshakeBytes(infoHash) })
    if (f.type === FrameType.Data) {
      received += f.data.length
      const due = (owed.get(f.stream) ?? 0) + f.data.length
      if (due >= STREAM_WINDOW / 4) {
        page.send({ type: FrameType.Credit, stream: f.stream, bytes: due })
        owed.set(f.stream, 0)
      } else owed.set(f.stream, due)
    }
  })
  return { received: () => received }
}

export async function benchBridgeScale(): Promise<ScaleResult> {
  const appDir = await mkdtemp(join(tmpdir(), 'scale-app-'))
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>bench</title>')
  const server = await spawnServerProcess(['--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--app-dir', appDir,
    '--peer-port', '0', '--peer-host', '127.0.0.1', '--no-dht', '--port-mapping', 'off', '--log-level', 'warn'], 120_000)
  const pid = server.daemon.child.pid!
  const sockets: net.Socket[] = []
  const pages: RawPage[] = []
  try {
    const origin = server.url.replace(/\/$/, '')
    const hashes = Array.from({ length: PAGES }, () => randomBytes(20).toString('hex'))
    const served: { received: () => number }[] = []
    for (const h of hashes) {
      const page = await rawPage(bridgeUrl(server.url), { origin })
      page.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
      served.push(servePage(page, h))
      pages.push(page)
    }
    await new Promise((r) => setTimeout(r, 500))
    const base = await processMemory(pid)
    for (let i = 0; i < PEERS; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, PEERS - i) }, (_, j) => peer(server.peerPort, hashes[(i + j) % PAGES]!, i + j)))
      for (const s of batch) if (s) sockets.push(s)
    }
    for (const s of sockets) s.resume() // read and drop whatever the pages send
    await new Promise((r) => setTimeout(r, 3000))
    const idle = await processMemory(pid)
    const idleCpu = await cpuPercentOver(pid, MEASURE_S)
    // exchanging: every peer sends a 16 KiB block every 100 ms (160 KB/s each, 160 MB/s in all asked)
    const block = Buffer.alloc(16 * 1024 + 13)
    block.writeUInt32BE(16 * 1024 + 9, 0)
    block[4] = 7
    const timer = setInterval(() => { for (const s of sockets) if (!s.destroyed && s.writableLength < 1 << 20) s.write(block) }, 100)
    const receivedBefore = served.reduce((a, p) => a + p.received(), 0)
    const busyCpu = await cpuPercentOver(pid, MEASURE_S)
    if (process.env.BENCH_SCALE_METRICS) {
      const text = await (await fetch(`${origin}/metrics`)).text()
      console.log(text.split('\n').filter((l) => /^bridge_(buffered|nodejs_heap_size_used|nodejs_external|process_resident|nodejs_heap_space_size_used_bytes)/.test(l)).join('\n'))
    }
    const receivedAfter = served.reduce((a, p) => a + p.received(), 0)
    const busy = await processMemory(pid)
    clearInterval(timer)
    return {
      peers: sockets.filter((s) => !s.destroyed).length,
      baseRssMiB: base.rss / MiB,
      idleRssMiB: idle.rss / MiB,
      idleCpuPercent: idleCpu,
      busyRssMiB: busy.rss / MiB,
      busyCpuPercent: busyCpu,
      busyMBps: (receivedAfter - receivedBefore) / MEASURE_S / 1e6,
      peakRssMiB: busy.peakRss / MiB,
    }
  } finally {
    for (const s of sockets) s.destroy()
    for (const p of pages) p.close()
    await server.daemon.stop()
  }
}

/** The Scale section's bridge part, for docs/BENCHMARKS.md. */
export function scaleMarkdown(r: ScaleResult): string {
  const f = (n: number, d = 1) => n.toFixed(d)
  return `## Scale: the bridge with ${r.peers.toLocaleString('en')} peer connections

The compiled bridge as its own process, ${r.peers.toLocaleString('en')} TCP peers (each from its own loopback address)
relayed to four Node pages (a page holds 300 at most), by \`test/bench/bridge-scale.ts\`. RSS and CPU from
/proc over ${MEASURE_S} s in each state.

| state | bridge RSS | bridge CPU | target |
|---|---|---|---|
| no peers | ${f(r.baseRssMiB)} MiB | | |
| ${r.peers} idle connections | ${f(r.idleRssMiB)} MiB | ${f(r.idleCpuPercent)} % of a core | RSS under 150 MB, CPU near zero |
| ${r.peers} exchanging (each peer sends 16 KiB every 100 ms; ${f(r.busyMBps)} MB/s reached the pages) | ${f(r.busyRssMiB)} MiB (peak ${f(r.peakRssMiB)}) | ${f(r.busyCpuPercent)} % of a core | RSS under 150 MB |
`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchBridgeScale()
  console.log(JSON.stringify(r, null, 1))
  console.log(scaleMarkdown(r))
}
