/**
 * The transport's ceiling, for reading the bridge bench: how fast this Chromium takes bytes from a
 * Node WebSocket server on loopback when the page does nothing with them (64 KiB binary messages,
 * the bridge's DATA size, the server's send queue kept under 4 MiB as the bridge keeps its own).
 * Everything the page gets from TCP peers comes through one such WebSocket, so this bounds the app.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from '@playwright/test'
import { WebSocketServer } from 'ws'

const MESSAGE = 64 * 1024
const QUEUE = 4 * 1024 * 1024

export async function websocketCeiling(browser: Browser, totalBytes: number): Promise<number> {
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
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${port}/`)
    const ms = await page.evaluate(({ port, totalBytes }) => new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
      ws.binaryType = 'arraybuffer'
      let got = 0
      let t0 = 0
      ws.onopen = () => { t0 = performance.now() }
      ws.onerror = () => reject(new Error('the WebSocket failed'))
      ws.onmessage = (e: MessageEvent<ArrayBuffer>) => {
        got += e.data.byteLength
        if (got >= totalBytes) {
          resolve(performance.now() - t0)
          ws.close()
        }
      }
    }), { port, totalBytes: Math.ceil(totalBytes / MESSAGE) * MESSAGE })
    return totalBytes / (ms / 1000) / 1e6
  } finally {
    await context.close()
    for (const c of wss.clients) c.terminate()
    wss.close()
    await new Promise((resolve) => server.close(resolve))
  }
}
