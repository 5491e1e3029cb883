/**
 * The transport's ceiling, for reading the bridge bench: how fast this Chromium takes bytes from a
 * Node WebSocket server on loopback when the page does nothing with them (256 KiB binary messages,
 * the bridge's largest DATA frame, the server's send queue kept under 4 MiB as the bridge keeps its own).
 * Everything the page gets from TCP peers comes through one such WebSocket, so this bounds the app.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from '@playwright/test'
import { WebSocketServer } from 'ws'
import { machineBusySeconds } from './machine-cpu'
import { openRawPage } from './raw-page'

const MESSAGE = 256 * 1024
const QUEUE = 4 * 1024 * 1024

/** What runs in the page: opens the WebSocket, counts `totalBytes`, resolves with the milliseconds it took. */
const receive = `(({ port, totalBytes }) => new Promise((resolve, reject) => {
  const ws = new WebSocket('ws://127.0.0.1:' + port + '/')
  ws.binaryType = 'arraybuffer'
  let got = 0
  let t0 = 0
  ws.onopen = () => { t0 = performance.now() }
  ws.onerror = () => reject(new Error('the WebSocket failed'))
  ws.onmessage = (e) => {
    got += e.data.byteLength
    if (got >= totalBytes) {
      resolve(performance.now() - t0)
      ws.close()
    }
  }
}))`

/**
 * MB/s into a page driven by Playwright (`browser`: its DevTools Network domain copies every
 * message, as for the app's Playwright row) or, with `browser` null, over bare CDP (raw-page.ts);
 * and the machine's busy core-seconds over the transfer (all processes: the server, Chromium's).
 */
export async function websocketCeiling(browser: Browser | null, totalBytes: number): Promise<{ mbps: number; busy: number }> {
  const server = http.createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>ws</title>') })
  const wss = new WebSocketServer({ server, perMessageDeflate: false })
  wss.on('connection', (ws) => {
    const block = Buffer.alloc(MESSAGE, 0x5a)
    let sent = 0
    const pump = () => {
      while (sent < totalBytes && ws.bufferedAmount < QUEUE) {
        ws.send(block)
        sent += MESSAGE
      }
      if (sent < totalBytes && ws.readyState === ws.OPEN) setTimeout(pump, 1)
    }
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const args = { port, totalBytes: Math.ceil(totalBytes / MESSAGE) * MESSAGE }
  const url = `http://127.0.0.1:${port}/`
  let close = async () => {}
  try {
    let ms: number
    let busy: number
    if (browser) {
      const context = await browser.newContext()
      close = () => context.close()
      const page = await context.newPage()
      await page.goto(url)
      const before = machineBusySeconds()
      ms = await page.evaluate(`${receive}(${JSON.stringify(args)})`) as number
      busy = machineBusySeconds() - before
    } else {
      const page = await openRawPage(url)
      close = () => page.close()
      await new Promise((r) => setTimeout(r, 500)) // the blank page loaded
      const before = machineBusySeconds()
      ms = await page.evaluate<number>(`${receive}(${JSON.stringify(args)})`)
      busy = machineBusySeconds() - before
    }
    return { mbps: totalBytes / (ms / 1000) / 1e6, busy }
  } finally {
    await close()
    for (const c of wss.clients) c.terminate()
    wss.close()
    await new Promise((resolve) => server.close(resolve))
  }
}
