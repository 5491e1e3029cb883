// Trackers that lie, on loopback: an HTTP tracker whose every path answers with one malformed
// or hostile shape, and UDP trackers (one port a shape) doing the same for BEP 15. Each counts
// the requests it gets, so a test can see a re-announce storm or a request that should not be.
import dgram from 'node:dgram'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const enc = (s: string) => Buffer.from(s, 'latin1')
const str = (b: Buffer | string) => Buffer.concat([enc(`${Buffer.byteLength(b as string)}:`), typeof b === 'string' ? enc(b) : b])
const compactV4 = (n: number, start = 0) => {
  const out = Buffer.alloc(6 * n)
  for (let i = 0; i < n; i++) {
    const k = start + i
    out.writeUInt8(1 + ((k >> 16) & 0x7f), 6 * i) // 1.x.y.z … public addresses
    out.writeUInt8((k >> 8) & 0xff, 6 * i + 1)
    out.writeUInt8(k & 0xff, 6 * i + 2)
    out.writeUInt8(1 + (k % 250), 6 * i + 3)
    out.writeUInt16BE(6881, 6 * i + 4)
  }
  return out
}
const dict = (...parts: Buffer[]) => Buffer.concat([enc('d'), ...parts, enc('e')])
const key = (k: string) => str(k)
const int = (n: number | string) => enc(`i${n}e`)
const dictPeer = (ip: Buffer, port: Buffer) => dict(key('ip'), ip, key('port'), port)
const peersList = (...peers: Buffer[]) => Buffer.concat([key('peers'), enc('l'), ...peers, enc('e')])
const answer = (...parts: Buffer[]) => dict(key('interval'), int(1800), ...parts)

/**
 * The HTTP corpus: path -> body (or a handler for the shapes that are about the transport).
 * `valid` names the peers (host:port) a correct client takes from the answer, where it has any.
 */
export const HTTP_CORPUS: Record<string, { body?: Buffer; handle?: (req: http.IncomingMessage, res: http.ServerResponse) => void; valid?: string[] }> = {
  'ip-integer': { body: answer(peersList(dictPeer(int(16909060), int(6881)))) },
  'ip-list': { body: answer(peersList(dictPeer(enc('l7:1.2.3.4e'), int(6881)))) },
  'ip-dict': { body: answer(peersList(dictPeer(dict(key('a'), int(1)), int(6881)))) },
  'ip-scoped-v6': { body: answer(peersList(dictPeer(str('fe80::1%eth0'), int(6881)))) },
  'ip-hostname': { body: answer(peersList(dictPeer(str('evil.example'), int(6881)))) },
  'ip-inet-aton': { body: answer(peersList(dictPeer(str('0x7f.1'), int(6881)), dictPeer(str('16909060'), int(6881)))) },
  'ip-100k-dots': { body: answer(peersList(dictPeer(str('.'.repeat(100_000)), int(6881)))) },
  'ip-missing': { body: answer(peersList(dict(key('port'), int(6881)))) },
  'port-shapes': {
    body: answer(peersList(...[int(0), int(-1), int(70000), str('abc'), str('6881'), enc('le'), int('99999999999999')].map((p) => dictPeer(str('1.2.3.4'), p)),
      dictPeer(str('5.6.7.8'), int(51413)))),
    valid: ['5.6.7.8:51413'],
  },
  'peers-not-dicts': { body: answer(peersList(int(1), str('1.2.3.4:6881'), enc('le'))) },
  'peers-integer': { body: answer(key('peers'), int(42), key('peers6'), int(42)) },
  'compact-truncated': { body: answer(key('peers'), str(Buffer.concat([compactV4(1), Buffer.from([9])]))), valid: ['1.0.0.1:6881'] },
  'compact6-truncated': { body: answer(key('peers6'), str(Buffer.alloc(17, 0x20))) },
  'peers6-list-odd': { body: answer(key('peers6'), enc('l'), dictPeer(str('[2a00:1450::1]'), int(6881)), dictPeer(str('2a00:1450::2%1'), int(6881)), enc('e')), valid: ['[2a00:1450::1]:6881'] },
  'compact-100k': { body: answer(key('peers'), str(compactV4(100_000))) },
  'duplicates': { body: answer(key('peers'), str(Buffer.concat(Array.from({ length: 1000 }, () => compactV4(1))))), valid: ['1.0.0.1:6881'] },
  'html': { body: enc('<html><body>Tracker under maintenance</body></html>') },
  'empty': { body: Buffer.alloc(0) },
  'garbage': { body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)) },
  'deep-nesting': { body: Buffer.concat([enc('d5:peers'), enc('l'.repeat(100_000)), enc('e'.repeat(100_000)), enc('e')]) },
  'failure-string': { body: dict(key('failure reason'), str('torrent not registered')) },
  'failure-integer': { body: dict(key('failure reason'), int(7)) },
  'failure-list': { body: dict(key('failure reason'), enc('l1:ae')) },
  'failure-control-chars': { body: dict(key('failure reason'), str(Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 32)))) },
  'failure-empty': { body: dict(key('failure reason'), str('')) },
  'warning-dict': { body: answer(key('warning message'), dict(key('x'), int(1)), key('peers'), str(compactV4(1))), valid: ['1.0.0.1:6881'] },
  'interval-negative': { body: dict(key('interval'), int(-1), key('min interval'), int(-1), key('peers'), str(compactV4(1))), valid: ['1.0.0.1:6881'] },
  'interval-zero': { body: dict(key('interval'), int(0), key('peers'), str(compactV4(1))), valid: ['1.0.0.1:6881'] },
  'interval-text': { body: dict(key('interval'), str('soon'), key('peers'), str(compactV4(1))), valid: ['1.0.0.1:6881'] },
  'tracker-id-huge': { body: answer(key('tracker id'), str('x'.repeat(100_000)), key('peers'), str(compactV4(1))), valid: ['1.0.0.1:6881'] },
  'trailing-newline': { body: Buffer.concat([answer(key('peers'), str(compactV4(1))), enc('\r\n')]), valid: ['1.0.0.1:6881'] },
  'status-500': { handle: (_req, res) => res.writeHead(500).end('oops') },
  'status-404': { handle: (_req, res) => res.writeHead(404).end() },
  'body-10mb': {
    handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 0x31)
      let sent = 0
      const more = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length
          if (!res.write(chunk)) return void res.once('drain', more)
        }
        res.end()
      }
      res.on('error', () => {})
      more()
    },
  },
  'length-lies': {
    handle: (req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('d8:interval')
      req.socket.destroy()
    },
  },
  'redirect-loop': { handle: (req, res) => res.writeHead(302, { location: req.url! }).end() },
  'redirect-metadata': { handle: (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end() },
  'redirect-v6-loopback': { handle: (_req, res) => res.writeHead(307, { location: 'http://[::1]:1/announce' }).end() },
  'redirect-file': { handle: (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end() },
  'redirect-ok': { handle: (req, res) => res.writeHead(302, { location: `/good${req.url!.slice(req.url!.indexOf('?'))}` }).end(), valid: ['1.0.0.1:6881'] },
  'good': { body: answer(key('peers'), str(compactV4(1))), valid: ['1.0.0.1:6881'] },
}

export interface HostileHttpTracker {
  url(path: string): string
  /** Requests per corpus path so far. */
  requests: Map<string, number>
  close(): Promise<void>
}

export async function startHostileHttpTracker(): Promise<HostileHttpTracker> {
  const requests = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').slice(1).split('?')[0]!
    requests.set(path, (requests.get(path) ?? 0) + 1)
    const entry = HTTP_CORPUS[path]
    if (!entry) return void res.writeHead(404).end()
    if (entry.handle) return entry.handle(req, res)
    res.writeHead(200, { 'content-type': 'text/plain' }).end(entry.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: (path) => `${base}/${path}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

// ---- UDP (BEP 15) ----

/** What each hostile UDP tracker answers to a connect or an announce (null: say nothing). */
type UdpShape = (action: number, tid: Buffer, msg: Buffer) => Buffer[] | null
const connectOk = (tid: Buffer) => Buffer.concat([u32(0), tid, Buffer.alloc(8, 7)])
const announceOk = (tid: Buffer, interval: number, peers: Buffer) => Buffer.concat([u32(1), tid, u32(interval >>> 0), u32(1), u32(2), peers])
function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

export const UDP_CORPUS: Record<string, { shape: UdpShape; valid?: string[] }> = {
  'wrong-transaction': { shape: (action, _tid) => [action === 0 ? connectOk(Buffer.from('zzzz')) : announceOk(Buffer.from('zzzz'), 1800, compactV4(1))] },
  'short-packets': { shape: (_a, tid) => [Buffer.alloc(0), Buffer.alloc(3), Buffer.concat([u32(0), tid])] },
  'unknown-action': { shape: (_a, tid) => [Buffer.concat([u32(99), tid, Buffer.alloc(64)])] },
  'error-binary': { shape: (_a, tid) => [Buffer.concat([u32(3), tid, Buffer.from(Array.from({ length: 2000 }, (_, i) => i & 0xff))])] },
  'truncated-peers': { shape: (a, tid) => [a === 0 ? connectOk(tid) : announceOk(tid, 1800, Buffer.concat([compactV4(2), Buffer.alloc(5)]))], valid: ['1.0.0.1:6881', '1.0.1.2:6881'] },
  'interval-max': { shape: (a, tid) => [a === 0 ? connectOk(tid) : announceOk(tid, 0xffffffff, compactV4(1))], valid: ['1.0.0.1:6881'] },
  'interval-zero': { shape: (a, tid) => [a === 0 ? connectOk(tid) : announceOk(tid, 0, compactV4(1))], valid: ['1.0.0.1:6881'] },
  'huge-datagram': { shape: (a, tid) => [a === 0 ? connectOk(tid) : announceOk(tid, 1800, compactV4(10_000))] },
  'flood-then-answer': { shape: (a, tid) => [...Array.from({ length: 50 }, () => Buffer.alloc(8)), a === 0 ? connectOk(tid) : announceOk(tid, 1800, compactV4(1))], valid: ['1.0.0.1:6881'] },
  'silent': { shape: () => null },
}

export interface HostileUdpTracker {
  url(shape: string): string
  requests: Map<string, number>
  close(): Promise<void>
}

export async function startHostileUdpTrackers(): Promise<HostileUdpTracker> {
  const requests = new Map<string, number>()
  const sockets = new Map<string, dgram.Socket>()
  for (const [name, { shape }] of Object.entries(UDP_CORPUS)) {
    const socket = dgram.createSocket('udp4')
    socket.on('message', (msg, from) => {
      if (msg.length < 16) return
      requests.set(name, (requests.get(name) ?? 0) + 1)
      const replies = shape(msg.readUInt32BE(8), msg.subarray(12, 16), msg)
      for (const reply of replies ?? []) socket.send(reply, from.port, from.address)
    })
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    sockets.set(name, socket)
  }
  return {
    url: (shape) => `udp://127.0.0.1:${sockets.get(shape)!.address().port}/announce`,
    requests,
    close: async () => { for (const s of sockets.values()) s.close() },
  }
}
