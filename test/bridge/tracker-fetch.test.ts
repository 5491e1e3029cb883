// The compiled server's fetch for HTTP tracker announces (bridge/tracker-fetch.ts), against a real
// HTTP server on loopback: the answer's bytes, no redirect followed, a capped body, aborts.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_TRACKER_RESPONSE_BYTES, fetch } from '../../bridge/tracker-fetch'

/** A bencoded announce answer with one compact peer, 127.0.0.1:6881 (bytes above 0x7f included). */
const ANSWER = 'd8:intervali1800e5:peers6:\x7f\x00\x00\x01\x1a\xe1e'

describe('tracker fetch', () => {
  let server: http.Server
  let base: string
  const seen: string[] = []

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers['user-agent']}`)
      if (req.url?.startsWith('/announce')) res.end(Buffer.from(ANSWER, 'latin1'))
      else if (req.url === '/moved') res.writeHead(302, { location: '/announce?followed' }).end()
      else if (req.url === '/huge') res.end(Buffer.alloc(MAX_TRACKER_RESPONSE_BYTES + 1))
      // /slow: never answers
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it('gives the status and the exact bytes of the answer, with the headers asked for', async () => {
    const res = await fetch(`${base}/announce?info_hash=x`, { headers: { 'user-agent': 'TW/1' } })
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe(ANSWER)
    expect(seen).toContain('/announce?info_hash=x TW/1')
  })

  it('follows no redirect: it could lead past the address check', async () => {
    const res = await fetch(`${base}/moved`)
    expect(res.status).toBe(302)
    await res.arrayBuffer()
    expect(seen.some((s) => s.startsWith('/announce?followed'))).toBe(false)
  })

  it('stops reading an answer over the cap: empty body, and an error on the stream', async () => {
    const res = await fetch(`${base}/huge`)
    const error = new Promise<Error>((r) => res.body.on('error', r))
    expect((await res.arrayBuffer()).byteLength).toBe(0)
    expect((await error).message).toMatch(/over 1048576 bytes/)
  })

  it('rejects when aborted before the answer', async () => {
    const controller = new AbortController()
    const pending = fetch(`${base}/slow`, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(pending).rejects.toThrow(/abort/i)
  })
})
