// A web seed (BEP 19) that lies, on loopback: it serves a folder's files as a web server would,
// but each answer is wrong in one chosen way. A mock, for faults a real server (nginx) cannot be
// made to show: wrong bytes of the right length, answers cut short, errors, a redirect into the
// user's network.
import { open } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

export type Lie =
  /** 206 with the range's headers, every byte inverted. */
  | 'wrong-bytes'
  /** 206 with the range's headers, half its bytes, then the connection closed. */
  | 'short'
  /** 206 whose Content-Range is one byte later than asked, with those bytes. */
  | 'other-range'
  /** 500 to everything. */
  | 'error-500'
  /** 302 to `redirectTo`. */
  | 'redirect'

export interface LyingWebSeed {
  url: string
  /** Requests it got ("GET /path range"). */
  requests: string[]
  close(): Promise<void>
}

export async function startLyingWebSeed(opts: { root: string; lie: Lie; redirectTo?: string }): Promise<LyingWebSeed> {
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`)
    void answer(req, res).catch(() => res.destroy())
  })
  async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (opts.lie === 'error-500') return void res.writeHead(500).end('no')
    if (opts.lie === 'redirect') return void res.writeHead(302, { location: opts.redirectTo ?? 'http://169.254.169.254/' }).end()
    const path = join(opts.root, ...decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/').filter(Boolean))
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
    if (!m) return void res.writeHead(400).end()
    const file = await open(path).catch(() => null)
    if (!file) return void res.writeHead(404).end()
    try {
      const size = (await file.stat()).size
      const first = Number(m[1]) + (opts.lie === 'other-range' ? 1 : 0)
      const last = Math.min(Number(m[2]) + (opts.lie === 'other-range' ? 1 : 0), size - 1)
      const body = Buffer.alloc(Math.max(0, last - first + 1))
      await file.read(body, 0, body.length, first)
      res.writeHead(206, { 'content-range': `bytes ${first}-${last}/${size}`, 'content-length': body.length })
      if (opts.lie === 'wrong-bytes') {
        for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ 0xff
        res.end(body)
      } else if (opts.lie === 'short') {
        res.write(body.subarray(0, body.length >> 1), () => res.destroy())
      } else {
        res.end(body)
      }
    } finally {
      await file.close()
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
