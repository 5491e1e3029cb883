/// <reference path="../../src/engine/webtorrent/webtorrent.d.ts" />
// A hostile WebSocket tracker on loopback (a bare `ws` server, not a tracker) and the real
// bittorrent-tracker client with many torrents on its one pooled socket, patched by the door
// (tracker-messages.ts, tracker-socket-router.ts) as the page patches webtorrent's. Whatever the
// tracker sends costs one read per message, not one per torrent; its garbage is counted with at
// most one warning; a good announce answer still reaches its torrent, offer and all.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Torrent as BrowserTorrent } from 'webtorrent/dist/webtorrent.min.js'
// @ts-ignore -- bittorrent-tracker ships no types; what is used is typed below
import { Client as ClientModule } from 'bittorrent-tracker'
import { WebSocketServer, type WebSocket } from 'ws'
import { MAX_TRACKER_MESSAGE_BYTES } from '../../src/core/peer-discovery/websocket-tracker-message'
import { parseTrackerMessagesOnce } from '../../src/engine/webtorrent/tracker-messages'
import { routedTrackers } from '../../src/engine/webtorrent/tracker-socket-router'
import { restrictWebRTCToLoopback } from '../support/loopback-webrtc'

restrictWebRTCToLoopback()

interface TrackerSocket {
  connected: boolean
  listenerCount(event: string): number
  once(event: 'close', fn: () => void): void
}
interface WsTracker {
  socket: TrackerSocket | null
  destroyed: boolean
  reconnecting: boolean
  retries: number
  reconnectTimer: ReturnType<typeof setTimeout> | null
  scrape(opts: { infoHash: string }): void
  _openSocket(): void
}
interface TrackerClient {
  infoHash: string
  _infoHashBinary: string
  _trackers: WsTracker[]
  start(): void
  scrape(): void
  destroy(cb?: () => void): void
  on(event: 'warning' | 'scrape' | 'update' | 'peer', fn: (data: never) => void): void
}
type ClientCtor = new (opts: { infoHash: string; peerId: string; announce: string[]; port: number; rtcConfig: object; getAnnounceOpts: () => object }) => TrackerClient
const Client = ClientModule as unknown as ClientCtor

const TORRENTS = 200
const binary = (hex: string) => String.fromCharCode(...Buffer.from(hex, 'hex'))
const nextTick = () => new Promise((resolve) => setImmediate(resolve))

describe('a hostile WebSocket tracker, 200 torrents on its one socket', () => {
  let server: WebSocketServer
  let url: string
  /** The pooled socket's far end (the 200 torrents), and the offerer's. */
  let torrentsEnd: WebSocket
  /** Raw messages from the torrents' socket, read only after a measured window (JSON.parse is counted). */
  const received: string[] = []
  let offererOffer: { offer: unknown; offer_id: string } | undefined
  const clients: TrackerClient[] = []
  const warnings: string[] = []
  /** The tracker takes connections (a refused one is a real socket error). */
  let accepting = true
  /**
   * While set, the server holds each WebSocket handshake until `releaseHandshakes`: the client's
   * socket stays connecting for as long as the test needs, not for as long as loopback takes.
   */
  let holdingHandshakes = false
  const heldHandshakes: (() => void)[] = []
  const releaseHandshakes = () => {
    holdingHandshakes = false
    for (const release of heldHandshakes.splice(0)) release()
  }
  /** Node's warnings while the test runs (an emitter past 10 listeners of one event warns). */
  const processWarnings: string[] = []
  const onProcessWarning = (warning: Error) => processWarnings.push(`${warning.name}: ${warning.message}`)
  /** The listeners on the shared socket after 200 torrents asked to announce, before it connected. */
  let listenersWhileConnecting: Record<string, number> = {}
  const lifecycleEvents = ['data', 'close', 'error', 'connect']

  beforeAll(async () => {
    process.on('warning', onProcessWarning)
    server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info: unknown, done: (ok: boolean) => void) => {
        const ok = accepting
        if (holdingHandshakes) heldHandshakes.push(() => done(ok))
        else done(ok)
      },
    })
    await new Promise((resolve) => server.once('listening', resolve))
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`
    let offererAnnounced: () => void = () => {}
    const offered = new Promise<void>((resolve) => { offererAnnounced = resolve })
    server.on('connection', (socket, request) => {
      if (request.url === '/offerer') {
        socket.on('message', (raw) => {
          const message = JSON.parse(String(raw)) as { offers?: { offer: unknown; offer_id: string }[] }
          if (message.offers?.length) { offererOffer = message.offers[0]; offererAnnounced() }
        })
        return
      }
      torrentsEnd = socket
      socket.on('message', (raw) => received.push(String(raw)))
    })

    for (let i = 0; i < TORRENTS; i++) {
      const client = new Client({ infoHash: randomBytes(20).toString('hex'), peerId: randomBytes(20).toString('hex'), announce: [url], port: 6881, rtcConfig: { iceServers: [] }, getAnnounceOpts: () => ({ numwant: 0 }) })
      client.on('warning', (err: Error) => warnings.push(err.message))
      // the page's patch, reached as webtorrent's torrent reaches it (torrent.discovery.tracker)
      parseTrackerMessagesOnce({ discovery: { tracker: client } } as unknown as BrowserTorrent)
      clients.push(client)
    }
    for (const client of clients) client.start()
    listenersWhileConnecting = Object.fromEntries(lifecycleEvents.map((e) => [e, clients[0]!._trackers[0]!.socket!.listenerCount(e)]))
    const deadline = Date.now() + 20_000
    while (received.length < TORRENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(received.length, 'every torrent announced').toBe(TORRENTS)

    // a real WebRTC offer, made by a real client announcing elsewhere on the tracker (its own socket)
    const offerer = new Client({ infoHash: clients[5]!.infoHash, peerId: randomBytes(20).toString('hex'), announce: [`${url}/offerer`], port: 6881, rtcConfig: { iceServers: [] }, getAnnounceOpts: () => ({ numwant: 1 }) })
    offerer.on('warning', () => {})
    clients.push(offerer)
    offerer.start()
    await offered
  }, 60_000)

  afterAll(async () => {
    process.off('warning', onProcessWarning)
    for (const client of clients) client.destroy()
    for (const socket of server.clients) socket.terminate()
    await new Promise((resolve) => server.close(resolve))
  })

  const socket = () => clients[0]!._trackers[0]!.socket!

  /** bittorrent-tracker's reconnect timer (10 s and more, random) for `t`, run at once. */
  const reopen = (t: WsTracker) => {
    clearTimeout(t.reconnectTimer!)
    t.retries++
    t._openSocket()
  }
  /** The tracker drops the torrents' connection: every torrent's tracker closes (bittorrent-tracker's backoff starts). */
  async function dropConnection() {
    const trackers = clients.slice(0, TORRENTS).map((c) => c._trackers[0]!)
    const closedSocket = socket()
    const closed = new Promise<void>((resolve) => closedSocket.once('close', resolve))
    torrentsEnd.terminate()
    await closed
    await nextTick()
    return { trackers, closedSocket }
  }
  const waitFor = async (done: () => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  }

  /** Sends `messages` on the torrents' socket, then a good announce answer for torrent 5, and counts JSON.parse until it arrived. */
  async function flood(messages: (string | Buffer)[]) {
    const target = clients[5]!
    const updated = new Promise<{ complete: number; incomplete: number; infoHash: string }>((resolve) => target.on('update', resolve))
    const parse = vi.spyOn(JSON, 'parse')
    let bound: ReturnType<typeof setTimeout> | undefined
    try {
      for (const message of messages) torrentsEnd.send(message)
      torrentsEnd.send(JSON.stringify({ action: 'announce', info_hash: target._infoHashBinary, complete: 4, incomplete: 2, interval: 120 }))
      // bounded, so that a torrent the garbage cut off fails the assertions below, not the test's timeout
      const update = await Promise.race([updated, new Promise<undefined>((resolve) => { bound = setTimeout(() => resolve(undefined), 10_000) })])
      await nextTick()
      const longestParsed = Math.max(0, ...parse.mock.calls.map(([text]) => String(text).length))
      return { parses: parse.mock.calls.length, longestParsed, update }
    } finally {
      clearTimeout(bound)
      parse.mockRestore()
    }
  }

  it('is one socket with one listener of each kind for the 200 torrents, also while they waited for it to connect', () => {
    for (const client of clients.slice(0, TORRENTS)) expect(client._trackers[0]!.socket).toBe(socket())
    expect(routedTrackers(socket())?.size).toBe(TORRENTS)
    // bittorrent-tracker: a data, close and error listener per torrent, and a connect one for each announce put off
    expect(listenersWhileConnecting).toEqual({ data: 1, close: 1, error: 1, connect: 1 })
    expect(Object.fromEntries(lifecycleEvents.map((e) => [e, socket().listenerCount(e)]))).toEqual({ data: 1, close: 1, error: 1, connect: 1 })
    expect(processWarnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([])
  })

  it('garbage costs one read a message, one warning in all, and a good answer still reaches its torrent', async () => {
    const unknownHash = binary('ab'.repeat(20))
    const garbage = [
      ...Array.from({ length: 10 }, (_, i) => `not json {${i}`),
      ...Array.from({ length: 10 }, (_, i) => JSON.stringify([i, 'announce'])),
      ...Array.from({ length: 10 }, () => JSON.stringify({ action: 'unknown', info_hash: clients[3]!._infoHashBinary })),
      ...Array.from({ length: 10 }, () => JSON.stringify({ action: 'announce', info_hash: 'not a hash', complete: 9 })),
      ...Array.from({ length: 10 }, () => JSON.stringify({ action: 'announce', info_hash: unknownHash, complete: 9 })),
      Buffer.from([0xff, 0xfe, 0xfd]),
    ]
    warnings.length = 0
    const { parses, update } = await flood(garbage)
    // one parse per message (and the good answer's), not one per message and torrent (200 times as many)
    expect(parses).toBeLessThanOrEqual(garbage.length + 1)
    expect(warnings.length, warnings.slice(0, 3).join('; ')).toBe(1)
    expect(warnings[0]).toMatch(/^Invalid tracker response from ws:\/\/127\.0\.0\.1:\d+: not JSON$/)
    const dropped = routedTrackers(socket())!.dropped
    expect(Object.fromEntries(dropped)).toEqual({ 'not JSON': 11, 'not an object': 10, 'unknown action': 10, 'no info_hash': 10, 'announce answer for no torrent': 10 })
    // the good answer reached its torrent; nobody closed the socket over the garbage
    expect(update).toMatchObject({ infoHash: clients[5]!.infoHash, complete: 4, incomplete: 2 })
    for (const client of clients.slice(0, TORRENTS)) expect(client._trackers[0]).toMatchObject({ destroyed: false, reconnecting: false })
  }, 30_000)

  it('a 5 MiB message, text or binary, valid JSON or not, is dropped unparsed, once', async () => {
    const fiveMiB = 5 * 1024 * 1024
    const huge = [
      JSON.stringify('x'.repeat(fiveMiB)),
      Buffer.from(JSON.stringify({ action: 'announce', info_hash: clients[5]!._infoHashBinary, complete: 99, padding: 'y'.repeat(fiveMiB) })),
    ]
    const before = routedTrackers(socket())!.dropped.get('too large') ?? 0
    const { longestParsed, update } = await flood(huge)
    expect(longestParsed, 'nothing past the cap was parsed').toBeLessThanOrEqual(MAX_TRACKER_MESSAGE_BYTES)
    expect(routedTrackers(socket())!.dropped.get('too large')).toBe(before + 2)
    expect(update, 'the padded one did not count as its answer').toMatchObject({ complete: 4 })
    for (const client of clients.slice(0, TORRENTS)) expect(client._trackers[0]).toMatchObject({ destroyed: false, reconnecting: false })
  }, 30_000)

  it('a scrape answer reaches the torrent it lists, once; an offer reaches its torrent, which answers it', async () => {
    const scrapes = new Map<string, number>()
    for (const client of clients.slice(0, TORRENTS)) client.on('scrape', (data: { infoHash: string }) => scrapes.set(client.infoHash, (scrapes.get(client.infoHash) ?? 0) + 1 + (data.infoHash === client.infoHash ? 0 : 1000)))
    const listed = clients[7]!
    const scraped = new Promise((resolve) => listed.on('scrape', resolve))
    const peers = new Promise<{ id: string }>((resolve) => clients[5]!.on('peer', resolve))
    const offererId = binary('cd'.repeat(20))
    const { parses } = await flood([
      JSON.stringify({ action: 'scrape', files: { [listed._infoHashBinary]: { complete: 2, incomplete: 3, downloaded: 4 }, [binary('ef'.repeat(20))]: { complete: 1, incomplete: 1, downloaded: 1 } } }),
      JSON.stringify({ action: 'announce', info_hash: clients[5]!._infoHashBinary, peer_id: offererId, offer: offererOffer!.offer, offer_id: offererOffer!.offer_id }),
    ])
    await scraped
    expect(parses).toBeLessThanOrEqual(3)
    expect([...scrapes.entries()], 'the listed torrent, once, for itself').toEqual([[listed.infoHash, 1]])
    const peer = await peers
    expect(peer.id).toBe('cd'.repeat(20))
    // its answer goes back to the tracker for the offerer
    const deadline = Date.now() + 20_000
    const answered = () => received.map((raw) => JSON.parse(raw) as { answer?: unknown; to_peer_id?: string }).find((m) => m.answer && m.to_peer_id === offererId)
    while (!answered() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(answered()).toBeTruthy()
  }, 30_000)

  it('the tracker closes the socket, then refuses it: each torrent\'s tracker closes, errs and reconnects as bittorrent-tracker has it, and re-announces', async () => {
    const { trackers, closedSocket } = await dropConnection()
    // each tracker destroyed, its reconnect timer (bittorrent-tracker's backoff) running
    for (const t of trackers) expect(t, 'closed').toMatchObject({ destroyed: true, reconnecting: true, retries: 0 })
    for (const t of trackers) expect(t.reconnectTimer).not.toBeNull()
    expect(routedTrackers(closedSocket), 'no router left on the closed socket').toBeUndefined()

    // its timer run at once: the tracker refuses the new socket, a real error
    accepting = false
    warnings.length = 0
    for (const t of trackers) reopen(t)
    const refused = trackers[0]!.socket!
    expect(routedTrackers(refused)?.size).toBe(TORRENTS)
    await waitFor(() => trackers.every((t) => t.destroyed))
    for (const t of trackers) expect(t, 'errored').toMatchObject({ destroyed: true, reconnecting: true, retries: 1 })
    // bittorrent-tracker's word for it, once for the socket (it warned once per torrent), with how many it concerns
    expect(warnings).toEqual([`Error connecting to ${url} (the tracker of ${TORRENTS} torrents)`])
    // the clients' emit is their own again (the router held the warning for the fan-out only)
    for (const client of clients) expect(Object.prototype.hasOwnProperty.call(client, 'emit')).toBe(false)

    // accepted again: the first reopens the pool's socket; once it is open the others join it, and each announces
    accepting = true
    received.length = 0
    reopen(trackers[0]!)
    await waitFor(() => !!trackers[0]!.socket?.connected)
    for (const t of trackers.slice(1)) reopen(t)
    await waitFor(() => received.length >= TORRENTS)
    const announced = new Set(received.map((raw) => (JSON.parse(raw) as { action: string; info_hash: string }).info_hash))
    expect(announced.size).toBe(TORRENTS)
    for (const client of clients.slice(0, TORRENTS)) expect(announced.has(client._infoHashBinary)).toBe(true)
    for (const t of trackers) expect(t, 'connected').toMatchObject({ destroyed: false, reconnecting: false, retries: 0 })
    expect(Object.fromEntries(lifecycleEvents.map((e) => [e, socket().listenerCount(e)]))).toEqual({ data: 1, close: 1, error: 1, connect: 1 })
  }, 60_000)

  it('the tracker restarts with a slow handshake: trackers reopened onto the pool\'s socket while it connects announce when it connects, once each', async () => {
    const { trackers } = await dropConnection()
    for (const t of trackers) expect(t, 'closed').toMatchObject({ destroyed: true, reconnecting: true })

    // the first timer makes the pool's new socket; the server holds its handshake
    holdingHandshakes = true
    received.length = 0
    reopen(trackers[0]!)
    await waitFor(() => heldHandshakes.length > 0)
    expect(heldHandshakes.length, 'the server has the upgrade request and holds it').toBe(1)
    const connecting = trackers[0]!.socket!
    // the other timers fire while it connects: each joins the pooled socket (bittorrent-tracker's
    // _openSocket calls its connect handler only if the socket is open already)
    for (const t of trackers.slice(1)) reopen(t)
    expect(connecting.connected).toBe(false)
    for (const t of trackers) expect(t.socket).toBe(connecting)
    for (const t of trackers) expect(t, 'reopened, waiting for the socket').toMatchObject({ destroyed: false, reconnecting: true })

    releaseHandshakes()
    await waitFor(() => received.length >= TORRENTS)
    // a scrape sent after every announce: when the server has it, any second announce sent by then is in too
    const marker = randomBytes(20).toString('hex')
    trackers[0]!.scrape({ infoHash: marker })
    await waitFor(() => received.some((raw) => (JSON.parse(raw) as { action: string }).action === 'scrape'))
    const announces = received.map((raw) => JSON.parse(raw) as { action: string; info_hash: string }).filter((m) => m.action === 'announce')
    const byTorrent = new Map<string, number>()
    for (const m of announces) byTorrent.set(m.info_hash, (byTorrent.get(m.info_hash) ?? 0) + 1)
    expect(clients.slice(0, TORRENTS).filter((c) => !byTorrent.has(c._infoHashBinary)).length, 'torrents that never announced again').toBe(0)
    expect(announces.length, 'one announce each').toBe(TORRENTS)
    for (const t of trackers) expect(t, 'connected').toMatchObject({ destroyed: false, reconnecting: false, retries: 0 })
    expect(Object.fromEntries(lifecycleEvents.map((e) => [e, connecting.listenerCount(e)]))).toEqual({ data: 1, close: 1, error: 1, connect: 1 })
  }, 60_000)
})
