// The bridge's /metrics (Prometheus) and its structured log: the counters move during a real
// download from a TCP seeder found through a tracker; the endpoint keeps the bridge's Host and
// token rules; log lines are JSON with a session id, and the token never appears in them.
import { mkdtemp, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bridgeUrl } from '../../src/bridge-client/bridge-client'
import { FrameType, type BridgeToPageFrame } from '../../src/protocol/bridge-frames'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { spawnServerProcess } from '../support/server-process'
import { startSeeder, type Seeder } from '../support/seeder'
import { startTracker, type LocalTracker } from '../support/tracker'
import { rawPage, startTestBridge, tempDir, waitFor, type TestBridge } from './harness'
import { startPage, waitDone } from './node-page'

/** GET `url` with headers of our choosing (fetch would not let us set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    }).on('error', reject)
  })
}

/** One sample's value from Prometheus text, e.g. value(t, 'bridge_dials_total', 'outcome="opened"'); 0 when absent. */
function value(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `))
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0
}

describe('bridge metrics', () => {
  let tracker: LocalTracker
  let seeder: Seeder
  let bridge: TestBridge
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('bridge-metrics-')
    const fixture = await writeFixture(tmp.dir, 'payload', multiFileFixture(16))
    tracker = await startTracker()
    seeder = await startSeeder({ root: fixture.root, announce: [tracker.httpUrl], webrtc: false, tcpPort: 0, uploadLimit: 4_000_000 })
    bridge = await startTestBridge()
  }, 60_000)
  afterAll(async () => {
    await bridge?.close()
    await seeder?.destroy()
    await tracker?.close()
    await tmp?.remove()
  })

  it('counters move during a download: sessions, dials, bytes from peers, trackers', async () => {
    const metrics = `${bridge.origin}/metrics`
    const before = (await get(metrics)).text
    const page = await startPage(bridge, seeder.torrentFile, join(tmp.dir, 'page'), { trackers: [tracker.httpUrl], dht: false })
    try {
      // mid-download: bytes have come and more will
      await waitFor(() => page.torrent.downloaded > 1024 * 1024, 30_000, 'a first MiB')
      const during = (await get(metrics)).text
      await waitDone(page, 60_000, 'the download')
      const after = (await get(metrics)).text
      expect(value(during, 'bridge_sessions')).toBeGreaterThanOrEqual(1)
      expect(value(during, 'bridge_streams', 'direction="outbound"')).toBeGreaterThanOrEqual(1)
      expect(value(after, 'bridge_dials_total', 'outcome="opened"')).toBeGreaterThan(value(before, 'bridge_dials_total', 'outcome="opened"'))
      const fromPeers = (t: string) => value(t, 'bridge_peer_bytes_total', 'direction="from_peers"')
      expect(fromPeers(during)).toBeGreaterThan(fromPeers(before))
      expect(fromPeers(after) - fromPeers(before)).toBeGreaterThanOrEqual(page.torrent.length)
      expect(value(after, 'bridge_peer_bytes_total', 'direction="to_peers"')).toBeGreaterThan(0) // handshakes and requests
      expect(value(during, 'bridge_trackers', 'state="working"')).toBeGreaterThanOrEqual(1)
      expect(value(after, 'bridge_tracker_requests_total', 'result="answered"')).toBeGreaterThanOrEqual(1)
      expect(value(after, 'bridge_process_resident_memory_bytes')).toBeGreaterThan(0)
    } finally {
      await page.close()
    }
  }, 90_000)

  it('counts refusals by kind, and a session closed by the bridge by why', async () => {
    const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    const hash = 'ef'.repeat(20)
    page.send({ type: FrameType.Open, stream: 1, infoHash: hash, peer: { host: '127.0.0.1', port: 9 } }) // not registered
    await page.next((f): f is BridgeToPageFrame => f.type === FrameType.Close && f.stream === 1)
    page.sendRaw('text is not a frame')
    await page.closed
    const text = (await get(`${bridge.origin}/metrics`)).text
    expect(value(text, 'bridge_dials_total', 'outcome="refused_unregistered"')).toBeGreaterThanOrEqual(1)
    expect(value(text, 'bridge_sessions_closed_total', 'reason="ProtocolError"')).toBeGreaterThanOrEqual(1)
  })

  it('keeps the bridge\'s Host check, and its token when it has one', async () => {
    const port = new URL(bridge.origin).port
    expect((await get(`${bridge.origin}/metrics`, { host: `evil.example:${port}` })).status).toBe(403)
    const guarded = await startTestBridge(['--token', 'metrics-secret'])
    try {
      expect((await get(`${guarded.origin}/metrics`)).status).toBe(401)
      expect((await get(`${guarded.origin}/metrics`, { authorization: 'Bearer wrong-secret' })).status).toBe(401)
      const ok = await get(`${guarded.origin}/metrics`, { authorization: 'Bearer metrics-secret' })
      expect(ok.status).toBe(200)
      expect(ok.text).toContain('bridge_sessions')
    } finally {
      await guarded.close()
    }
  })
})

describe('bridge log', () => {
  it('one JSON line per event with a session id; the token is never in it', async () => {
    const appDir = await mkdtemp(join(tmpdir(), 'log-app-'))
    await writeFile(join(appDir, 'index.html'), '<!doctype html><title>test</title>')
    const token = 'log-token-0123456789'
    const server = await spawnServerProcess(['--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--app-dir', appDir,
      '--peer-port', '0', '--peer-host', '127.0.0.1', '--no-dht', '--port-mapping', 'off', '--token', token, '--log-level', 'debug'], 120_000)
    try {
      const origin = server.url.replace(/\/$/, '')
      const page = await rawPage(`${bridgeUrl(server.url)}?token=${token}`, { origin })
      page.send({ type: FrameType.Open, stream: 1, infoHash: 'ab'.repeat(20), peer: { host: '127.0.0.1', port: 9 } })
      await page.next((f): f is BridgeToPageFrame => f.type === FrameType.Close)
      page.close()
      await waitFor(() => server.daemon.output().includes('page disconnected'), 5000, 'the disconnect logged')
      const lines = server.daemon.output().split('\n').filter((l) => l.startsWith('{'))
      const events = lines.map((l) => JSON.parse(l) as { msg: string; sid?: string; level: number })
      const connected = events.find((e) => e.msg === 'page connected')
      expect(connected?.sid).toMatch(/^s[0-9a-z]+$/)
      expect(events.find((e) => e.msg === 'dial refused')?.sid).toBe(connected!.sid)
      expect(events.find((e) => e.msg === 'page disconnected')?.sid).toBe(connected!.sid)
      expect(server.daemon.output()).not.toContain(token)
    } finally {
      await server.daemon.stop()
    }
  }, 150_000)
})
