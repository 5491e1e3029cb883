// HTTP to a UPnP router is bounded whatever the router does (a local server plays a hostile one):
// an answer past its cap is cut off, whether its Content-Length says so or not; a router that
// never finishes is given up on; a redirect is not followed.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routerRequest } from '../../bridge/peer-connection/port-mapping/router-http'

describe('HTTP to a router', () => {
  let server: Server
  let base: string
  let redirectsFollowed = 0

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/huge-declared') { res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }); res.write('x'.repeat(1000)); return }
      if (req.url === '/huge-chunked') {
        res.writeHead(200, { 'content-type': 'text/xml' })
        const chunk = Buffer.alloc(64 * 1024, 0x61)
        const pump = () => { while (res.write(chunk)) { if (res.writableLength > 1e8) return } res.once('drain', pump) }
        pump()
        res.on('close', () => res.removeAllListeners('drain'))
        return
      }
      if (req.url === '/silent') { res.writeHead(200); res.write('<root>'); return } // never ends
      if (req.url === '/redirect') { res.writeHead(302, { location: '/followed' }); res.end(); return }
      if (req.url === '/followed') redirectsFollowed++
      res.writeHead(200, { 'content-type': 'text/xml' })
      res.end(`<ok local="${req.socket.remoteAddress}"/>`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('reads a small answer and says which local address reached the router', async () => {
    const answer = await routerRequest(new URL(`${base}/desc.xml`), { method: 'GET', maxBytes: 1024, timeoutMs: 5000 })
    expect(answer).toEqual({ status: 200, text: '<ok local="127.0.0.1"/>', localAddress: '127.0.0.1' })
  })

  it('refuses an answer over its cap, declared or streamed', async () => {
    await expect(routerRequest(new URL(`${base}/huge-declared`), { method: 'GET', maxBytes: 64 * 1024, timeoutMs: 5000 })).rejects.toThrow('an answer of 52428800 bytes (at most 65536 are read)')
    await expect(routerRequest(new URL(`${base}/huge-chunked`), { method: 'GET', maxBytes: 64 * 1024, timeoutMs: 5000 })).rejects.toThrow('an answer of over 65536 bytes')
  })

  it('gives up on a router that never finishes its answer', async () => {
    await expect(routerRequest(new URL(`${base}/silent`), { method: 'GET', maxBytes: 1024, timeoutMs: 300 })).rejects.toThrow('no answer within 0.3 s')
  })

  it('does not follow a redirect', async () => {
    const answer = await routerRequest(new URL(`${base}/redirect`), { method: 'GET', maxBytes: 1024, timeoutMs: 5000 })
    expect(answer.status).toBe(302)
    expect(redirectsFollowed).toBe(0)
  })
})
