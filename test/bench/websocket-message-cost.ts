/**
 * What Chromium's main thread spends receiving WebSocket messages that the page does nothing with,
 * per MiB, by message size, at a fixed rate: the floor under the app's data path (every byte from
 * a TCP peer arrives as the bridge's DATA frames in such messages; bridge-data-path.ts measures the
 * app's whole path). A Node `ws` server paces BENCH_WS_RATE bytes/s (default 4,000,000) in
 * messages of each size; CDP Performance gives the main thread's task and CPU time.
 * Run (loopback-only namespace): node --import tsx test/bench/websocket-message-cost.ts [MiB]
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket as NodeWebSocket } from 'ws'
import { launchChromium } from '../support/browser'

const MIB = Number(process.argv[2] ?? 32)
const RATE = Number(process.env.BENCH_WS_RATE ?? 4_000_000)
const SIZES = [16 * 1024, 32 * 1024, 64 * 1024, 256 * 1024]
const TICK_MS = 5

const server = http.createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>ws</title>') })
const wss = new WebSocketServer({ server })
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const port = (server.address() as AddressInfo).port
let size = SIZES[0]!
wss.on('connection', (ws: NodeWebSocket) => {
  const payload = Buffer.alloc(size, 7)
  const total = MIB * 1024 * 1024
  let sent = 0
  let credit = 0
  // whole messages, paced: each tick adds RATE * TICK_MS of allowance
  const timer = setInterval(() => {
    credit += (RATE * TICK_MS) / 1000
    while (credit >= payload.length && sent < total) {
      ws.send(payload)
      sent += payload.length
      credit -= payload.length
    }
    if (sent >= total) clearInterval(timer)
  }, TICK_MS)
  ws.on('close', () => clearInterval(timer))
})

const browser = await launchChromium()
try {
  console.log(`| message | messages per MiB | main-thread task time per MiB | its CPU time per MiB |`)
  console.log('|---|---|---|---|')
  for (const s of SIZES) {
    size = s
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/`)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const metrics = async () => {
      const list = (await cdp.send('Performance.getMetrics')).metrics
      return { task: list.find((m) => m.name === 'TaskDuration')!.value, cpu: list.find((m) => m.name === 'ThreadTime')!.value }
    }
    const m0 = await metrics()
    await page.evaluate(({ port, total }) => new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
      ws.binaryType = 'arraybuffer'
      let got = 0
      ws.onerror = () => reject(new Error('the WebSocket failed'))
      ws.onmessage = (e) => {
        got += (e.data as ArrayBuffer).byteLength
        if (got >= total) { ws.close(); resolve() }
      }
    }), { port, total: MIB * 1024 * 1024 })
    const m1 = await metrics()
    console.log(`| ${s / 1024} KiB | ${(1024 * 1024) / s} | ${(((m1.task - m0.task) * 1000) / MIB).toFixed(2)} ms | ${(((m1.cpu - m0.cpu) * 1000) / MIB).toFixed(2)} ms |`)
    await page.close()
  }
} finally {
  await browser.close()
  wss.close()
  server.close()
}
