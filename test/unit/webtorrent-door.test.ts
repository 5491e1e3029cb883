/// <reference path="../../src/engine/webtorrent/webtorrent.d.ts" />
// The fenced door to webtorrent (src/engine/webtorrent/): each patch of a private member, tried on
// the real package. The prebuilt browser module's piece-check hook is matched on the module
// itself; the other patches on real torrents of webtorrent's Node build, whose Torrent, rarity
// map, piece and tracker classes are the same source files the browser module bundles. When
// webtorrent is upgraded, this file names what moved.
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Torrent as BrowserTorrent } from 'webtorrent/dist/webtorrent.min.js'
import type WebTorrentBrowser from 'webtorrent/dist/webtorrent.min.js'
import { bencode } from '../../src/core/torrent-parser/bencode'
import { addPieceCheckHook, isWebtorrentModule } from '../../src/engine/webtorrent/piece-check-hook'
import { hasPieceShape } from '../../src/engine/webtorrent/piece-hashing'
import { skipVerifiedPieces } from '../../src/engine/webtorrent/rarest-first'
import { TorrentLimits } from '../../src/engine/webtorrent/torrent-limits'
import { trustStartupBitfield } from '../../src/engine/webtorrent/trusted-resume'
import { keepExactTorrentFile } from '../../src/engine/webtorrent/exact-torrent-file'
import { parsedV1Torrent } from '../../src/engine/webtorrent/parsed-torrent'
import { parseTorrent } from '../../src/core/torrent-parser/metainfo'
import { coalesceUpdateRounds } from '../../src/engine/webtorrent/update-rounds'
import { assertWebtorrentVersion, WEBTORRENT_VERSION } from '../../src/engine/webtorrent/version'
import { webSocketAnnounceOpts, webSocketTrackers } from '../../src/engine/webtorrent/websocket-trackers'
import { parseTrackerMessagesOnce } from '../../src/engine/webtorrent/tracker-messages'
import { routedTrackers } from '../../src/engine/webtorrent/tracker-socket-router'
import { paceTrackerOffers } from '../../src/engine/webtorrent/tracker-offers'
import { adaptTrackerOffers, offerCountOf } from '../../src/engine/webtorrent/adaptive-offers'
import { releaseDestroyedPeerHandlers, releaseHandlersAtDestroy } from '../../src/engine/webtorrent/destroyed-peer-handlers'
import { RechokeRounds, shareTorrentTimers, type RechokeTimer } from '../../src/engine/webtorrent/torrent-timers'
import { TaskBudget } from '../../src/core/peer-discovery/task-budget'
import { AnnounceTicker, shareTrackerAnnounceTimer } from '../../src/engine/webtorrent/tracker-announce-ticker'
import { createLoopbackClient, destroyClient, WebTorrentCtor } from '../support/client'
import { makeTorrent } from '../support/make-torrent'
import { startTracker, type LocalTracker } from '../support/tracker'
import type { Torrent, WebTorrent } from '../support/webtorrent-types'

/**
 * A seeder and a leecher for a WebRTC download through a ws:// tracker, made so that the swarm
 * cannot storm. Measured (webtorrent-door.test.ts, 1 run in 4 on 2 cores) with two plain clients:
 *  - glare: both sides offer (a seed's announce makes offers too), each keeps the first peer of the
 *    other's id and destroys the later one as a duplicate, so each destroys the connection the other
 *    kept. What is left hangs in ICE 'checking' and holds the id, so every later offer and answer
 *    is a duplicate too: the download never starts.
 *  - meanwhile each announce (every 1 s with startTracker's default) makes 5 offers, of which the
 *    tracker can forward 1 (one other peer): 4 RTCPeerConnections wait 50 s (bittorrent-tracker's
 *    OFFER_TIMEOUT) holding ~90 descriptors each (wrtc's sockets). 4 torrents: ~1,500 fds/s, until
 *    libevent's epoll_create fails at ulimit 20000 and the vitest worker dies.
 * So the seeder is a pure acceptor (numwant 0: no offers, no glare) and the leecher makes one offer
 * an announce (numwant 1: the one the tracker forwards, answered or failed, never left waiting).
 */
async function oneWayPair(): Promise<{ seeder: WebTorrent; leecher: WebTorrent }> {
  const seeder = await createLoopbackClient({ tcpPort: false, numwant: 0 })
  const leecher = await createLoopbackClient({ tcpPort: false, numwant: 1 })
  return { seeder, leecher }
}
/**
 * Trackers of the describes that download over WebRTC: WebSocket clients are told 10 s (the
 * server's interval / 5), so a failed connection is retried within a test's time but announces,
 * and the offers each makes, stay few (a 1 s interval made one a second per torrent).
 */
const DOWNLOAD_TRACKER_INTERVAL_MS = 50_000

const browserModule = readFileSync('node_modules/webtorrent/dist/webtorrent.min.js', 'utf8')
const asBrowser = (torrent: Torrent) => torrent as unknown as BrowserTorrent

describe('the version the door was written for', () => {
  it('is the installed one, pinned exactly in package.json', () => {
    const installed = JSON.parse(readFileSync('node_modules/webtorrent/package.json', 'utf8')) as { version: string }
    const wanted = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
    expect(installed.version).toBe(WEBTORRENT_VERSION)
    expect(wanted.dependencies.webtorrent).toBe(WEBTORRENT_VERSION)
    expect(WebTorrentCtor.VERSION).toBe(WEBTORRENT_VERSION)
  })

  it('refuses to start the engine on another, saying what to do', () => {
    expect(() => assertWebtorrentVersion(WEBTORRENT_VERSION)).not.toThrow()
    expect(() => assertWebtorrentVersion('3.0.22')).toThrow(/made for webtorrent 3\.0\.21 but loaded 3\.0\.22.*npm ci/)
    expect(() => assertWebtorrentVersion(undefined)).toThrow(/an unknown version/)
  })
})

describe('the piece-check hook (build time, on the prebuilt module)', () => {
  it('finds webtorrent\'s piece check exactly once and routes it through a torrent\'s pieceCheck', () => {
    const hooked = addPieceCheckHook(browserModule)
    expect(hooked.length).toBeGreaterThan(browserModule.length)
    expect(hooked.split('i.pieceCheck?i.pieceCheck(t,p):x(p,"hex")').length).toBe(2)
    // the expression it replaced is gone, and `x` is still uint8-util's hash over crypto.subtle
    expect(hooked).not.toContain('const p=o.flush(),g=await x(p,"hex");')
    expect(browserModule).toMatch(/async function x\(e,t,n="sha-1"\)\{[^}]*crypto\.subtle\.digest\(n,e\)/)
    // what follows the check is the compare with the metainfo's hash and the store's put of the same buffer
    expect(hooked).toMatch(/:x\(p,"hex"\)\);i\.destroyed\|\|\(g===i\._hashes\[t\]\?\(i\._debug\("piece verified %s",t\),i\.store\.put\(t,p,/)
  })

  it('refuses a module it does not fit, naming the version', () => {
    expect(() => addPieceCheckHook(browserModule.replace('const p=o.flush(),g=await x(p,"hex");', 'const q=o.flush();'))).toThrow(/not found exactly once.*webtorrent 3\.0\.21/)
    const twice = browserModule + ';const p=o.flush(),g=await x(p,"hex");'
    expect(() => addPieceCheckHook(twice)).toThrow(/exactly once/)
  })

  it('applies to webtorrent\'s prebuilt module only', () => {
    expect(isWebtorrentModule('/repo/node_modules/webtorrent/dist/webtorrent.min.js')).toBe(true)
    expect(isWebtorrentModule('/repo/node_modules/webtorrent/dist/webtorrent.min.js?v=1234')).toBe(true)
    expect(isWebtorrentModule('/repo/node_modules/webtorrent/lib/torrent.js')).toBe(false)
    expect(isWebtorrentModule('/repo/src/engine/webtorrent/piece-hashing.ts')).toBe(false)
  })
})

describe('the v2 hooks (BEP 52), on the prebuilt module', () => {
  it('still finds every member they reach', () => {
    // torrent-hooks.ts, trusted-resume.ts, wire-messages.ts, ut-metadata.ts, parsed-torrent.ts
    for (const member of ['_verifyPiece', '_verifyPiecesUsingBitfield', '_verifyPiecesUsingHash', '_onMetadata', '_message(', 'unknownmessage', 'setMetadata', '_metadataComplete', '_metadataSize', '_infoHash', 'extendedHandshake', '_processParsedTorrent']) {
      expect(browserModule, member).toContain(member)
    }
    // and the version the page reads at run time (WebTorrent.VERSION) is the pinned one
    expect(browserModule).toContain(`version:"${WEBTORRENT_VERSION}"`)
  })
})

describe('the runtime patches, on real webtorrent torrents', () => {
  let client: WebTorrent
  let tracker: LocalTracker
  beforeAll(async () => {
    tracker = await startTracker()
    client = await createLoopbackClient({ tcpPort: false, numwant: 0 })
  })
  afterAll(async () => {
    await destroyClient(client)
    await tracker.close()
  })

  /** A torrent with metadata and nothing downloaded (its data exists nowhere). */
  async function torrentWithMetadata(name: string, announce?: string): Promise<Torrent> {
    const file = makeTorrent({ name, files: [{ path: ['a.bin'], length: 40 * 16 * 1024 + 5 }], ...(announce ? { announce } : {}) })
    const torrent = client.add(file, { announce: announce ? [announce] : [] })
    if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
    return torrent
  }

  it('piece-hashing: webtorrent\'s Piece has the fields flushInto reads and clears, and a flush', async () => {
    const torrent = await torrentWithMetadata('pieces')
    const piece = (torrent as unknown as { pieces: (object | null)[] }).pieces.find((p) => p !== null)
    expect(piece).toBeTruthy()
    expect(hasPieceShape(piece!)).toBe(true)
    expect(typeof (Object.getPrototypeOf(piece) as { flush?: unknown }).flush).toBe('function')
  })

  it('rarest-first: the torrent\'s rarity map is found and wrapped', async () => {
    const torrent = await torrentWithMetadata('rarity')
    const map = (torrent as unknown as { _rarityMap?: { getRarestPiece: unknown; skipsVerified?: boolean } })._rarityMap
    expect(typeof map?.getRarestPiece).toBe('function')
    skipVerifiedPieces(asBrowser(torrent))
    expect(map!.skipsVerified).toBe(true)
    // every piece but one verified (no peer has any, so all are equally rare): only that one is offered
    const bitfield = (torrent as unknown as { bitfield: { set(i: number, v: boolean): void } }).bitfield
    const count = (torrent as unknown as { pieces: unknown[] }).pieces.length
    for (let i = 0; i < count; i++) bitfield.set(i, i !== 17)
    for (let n = 0; n < 50; n++) expect((map!.getRarestPiece as () => number)()).toBe(17)
  })

  it('update-rounds: webtorrent\'s _update is replaced, and many calls run one round in an idle callback', async () => {
    const torrent = await torrentWithMetadata('rounds')
    const internals = torrent as unknown as { _update: () => void; _updateWireWrapper: () => void }
    expect(typeof internals._update).toBe('function')
    expect(typeof internals._updateWireWrapper).toBe('function')
    let rounds = 0
    internals._updateWireWrapper = () => { rounds++ }
    const idle: (() => void)[] = []
    const g = globalThis as { requestIdleCallback?: unknown }
    g.requestIdleCallback = (fn: () => void) => idle.push(fn)
    try {
      coalesceUpdateRounds(asBrowser(torrent))
    } finally {
      delete g.requestIdleCallback
    }
    for (let i = 0; i < 64; i++) internals._update()
    expect(idle).toHaveLength(1)
    idle[0]!()
    expect(rounds).toBe(1)
    internals._update()
    expect(idle).toHaveLength(2)
  })

  it('torrent-limits: a peer the torrent creates gets the torrent\'s throttle groups, bound to the global ones', async () => {
    const torrent = await torrentWithMetadata('limits')
    const browserClient = client as unknown as WebTorrentBrowser
    const clientGroups = browserClient.throttleGroups
    const limits = new TorrentLimits(browserClient)
    limits.setGlobal({ downloadLimit: 200_000, uploadLimit: 0 })
    // what webtorrent's own _addPeer reads of the client when it makes the peer
    const internals = torrent as unknown as { _addPeer: (...args: unknown[]) => unknown }
    const addPeer = internals._addPeer
    let seen: typeof clientGroups | undefined
    internals._addPeer = function (this: unknown, ...args: unknown[]) {
      seen = browserClient.throttleGroups
      return addPeer.apply(this, args)
    }
    limits.attach(asBrowser(torrent), { downloadLimit: 50_000, uploadLimit: 0 })
    asBrowser(torrent).addPeer('127.0.0.1:9') // a TCP peer through webtorrent's own path; nothing listens there
    expect(seen).toBeDefined()
    expect(seen).not.toBe(clientGroups)
    const groups = seen as unknown as Record<'down' | 'up', { getEnabled(): boolean; bucket: { parentBucket: unknown } | null }>
    expect(groups.down.getEnabled()).toBe(true)
    expect(groups.down.bucket?.parentBucket).toBe((limits as unknown as { global: typeof groups }).global.down.bucket)
    expect(groups.up.getEnabled()).toBe(false)
    expect(browserClient.throttleGroups).toBe(clientGroups) // swapped back once the peer is made
  })

  it('trusted-resume: a torrent added with a bitfield hashes its last two verified pieces only; a bad one brings back webtorrent\'s per-file check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'door-resume-'))
    try {
      // 6 pieces of 16 KiB over two files, real hashes; the bitfield claims 0-3. Piece 1 on disk is
      // garbage, which only a read of it can tell: webtorrent's own check reads a claimed piece of
      // each file (1 of a.bin, 3 of b.bin), the trusted one reads 3 and 2.
      const piece = 16 * 1024
      const data = Uint8Array.from({ length: 5 * piece + 101 }, (_, i) => (i * 7 + 3) & 0xff)
      const files = [{ path: ['a.bin'], length: 3 * piece + 1 }, { path: ['b.bin'], length: 2 * piece + 100 }]
      const hashes = new Uint8Array(6 * 20)
      for (let i = 0; i < 6; i++) hashes.set(createHash('sha1').update(data.subarray(i * piece, (i + 1) * piece)).digest(), i * 20)
      const added = async (name: string, trust: boolean, bad: number) => {
        const onDisk = data.slice()
        onDisk.fill(0xab, bad * piece, (bad + 1) * piece)
        mkdirSync(join(dir, name), { recursive: true })
        writeFileSync(join(dir, name, 'a.bin'), onDisk.subarray(0, files[0]!.length))
        writeFileSync(join(dir, name, 'b.bin'), onDisk.subarray(files[0]!.length))
        const file = bencode({ info: { name, 'piece length': piece, files, pieces: hashes } })
        const torrent = client.add(file, { path: dir, bitfield: new Uint8Array([0b11110000]) } as never) as Torrent
        if (trust) expect(trustStartupBitfield(torrent)).toBe(true)
        if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
        const bitfield = (torrent as unknown as { bitfield: { get(i: number): boolean } }).bitfield
        return [0, 1, 2, 3, 4, 5].map((i) => bitfield.get(i))
      }
      expect(await added('trusted', true, 1)).toEqual([true, true, true, true, false, false])
      expect(await added('per-file', false, 1)).toEqual([true, false, true, true, false, false])
      // a bad sample: webtorrent's check runs after all (3 found bad; a.bin's piece 1 read and good)
      expect(await added('sample-bad', true, 3)).toEqual([true, true, true, false, false, false])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('parsed-torrent, exact-torrent-file: a v1 torrent handed in as our parser read it runs as webtorrent\'s own parse of it, named by the SHA-1 of the exact info bytes, its torrentFile those exact bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'door-parsed-'))
    try {
      const piece = 16 * 1024
      const data = Uint8Array.from({ length: 5 * piece + 101 }, (_, i) => (i * 11 + 5) & 0xff)
      const files = [{ path: ['sub', 'a.bin'], length: 3 * piece + 1 }, { path: ['b.bin'], length: 2 * piece + 100 }]
      const hashes = new Uint8Array(6 * 20)
      for (let i = 0; i < 6; i++) hashes.set(createHash('sha1').update(data.subarray(i * piece, (i + 1) * piece)).digest(), i * 20)
      const name = 'parsed'
      mkdirSync(join(dir, name, 'sub'), { recursive: true })
      writeFileSync(join(dir, name, 'sub', 'a.bin'), data.subarray(0, files[0]!.length))
      writeFileSync(join(dir, name, 'b.bin'), data.subarray(files[0]!.length))
      // a key webtorrent's re-encoding drops: only the exact bytes keep it
      const file = bencode({ 'x-kept': 'only in the exact bytes', info: { name, 'piece length': piece, files, pieces: hashes } })
      const meta = await parseTorrent(file)
      const infoAt = Buffer.from(file).indexOf(Buffer.from(meta.infoBytes))
      expect(infoAt).toBeGreaterThan(0)
      expect(meta.infoHash).toBe(createHash('sha1').update(file.subarray(infoAt, infoAt + meta.infoBytes.length)).digest('hex'))

      type Run = Torrent & { torrentFile: Uint8Array; metadata: Uint8Array; info: unknown; pieceLength: number; lastPieceLength: number; pieces: unknown[]; destroy(opts: object, cb: () => void): void }
      const whenReady = async (torrent: Torrent) => {
        if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
        const t = torrent as Run
        const bitfield = (torrent as unknown as { bitfield: { get(i: number): boolean } }).bitfield
        return {
          infoHash: t.infoHash, name: t.name, length: t.length, pieceLength: t.pieceLength, lastPieceLength: t.lastPieceLength,
          files: t.files.map((f) => ({ path: f.path, name: f.name, length: f.length, offset: (f as unknown as { offset: number }).offset })),
          verified: [0, 1, 2, 3, 4, 5].map((i) => bitfield.get(i)),
        }
      }
      const own = client.add(file, { path: dir }) as Run
      const byWebtorrent = await whenReady(own)
      const reEncoded = own.torrentFile
      await new Promise<void>((resolve) => own.destroy({}, resolve))

      const parsed = client.add(parsedV1Torrent(meta) as never, { path: dir }) as Run
      expect(keepExactTorrentFile(parsed, file)).toBe(true)
      const byUs = await whenReady(parsed)
      expect(byUs).toEqual(byWebtorrent)
      expect(byUs.verified).toEqual([true, true, true, true, true, true]) // our piece hashes, read against the files on disk
      expect(byUs.infoHash).toBe(meta.infoHash)
      expect(Buffer.from(reEncoded).equals(Buffer.from(file))).toBe(false) // webtorrent's own torrentFile is a re-encoding
      expect(Buffer.from(parsed.torrentFile).equals(Buffer.from(file))).toBe(true)
      expect(Buffer.from(parsed.metadata).equals(Buffer.from(file))).toBe(true) // what its ut_metadata serves from
      expect(parsed.info).toBeInstanceOf(Map)
      await new Promise<void>((resolve) => parsed.destroy({}, resolve))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('websocket-trackers: a torrent\'s WebSocket tracker and its connection are read', async () => {
    const torrent = await torrentWithMetadata('trackers', tracker.wsUrl)
    const deadline = Date.now() + 20_000
    let state = webSocketTrackers(asBrowser(torrent))
    while (state[0]?.state !== 'working' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      state = webSocketTrackers(asBrowser(torrent))
    }
    expect(state.map((t) => [t.url, t.state])).toEqual([[tracker.wsUrl, 'working']])
  })
})

describe('getAnnounceOpts on a torrent (a documented option, read by webtorrent\'s WebSocket tracker)', () => {
  let client: WebTorrent
  let tracker: LocalTracker
  beforeAll(async () => {
    tracker = await startTracker()
    client = await createLoopbackClient({ tcpPort: false }) // no client-level numwant: the torrent's own decides
  })
  afterAll(async () => {
    await destroyClient(client)
    await tracker.close()
  })

  /** Adds a torrent announcing to the WebSocket tracker; resolves once the tracker lists it (its first announce arrived). */
  async function announced(name: string, complete: boolean): Promise<Torrent> {
    const file = makeTorrent({ name, files: [{ path: ['a.bin'], length: 64 * 1024 }], announce: tracker.wsUrl })
    const opts = { announce: [tracker.wsUrl], getAnnounceOpts: webSocketAnnounceOpts(() => complete) }
    const torrent = client.add(file, opts as Parameters<WebTorrent['add']>[1])
    if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
    const deadline = Date.now() + 20_000
    while (!tracker.server.torrents[torrent.infoHash]?.peers.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(tracker.server.torrents[torrent.infoHash]?.peers.length, `${name}: listed by the tracker`).toBe(1)
    return torrent
  }

  /** The RTCPeerConnections its WebSocket tracker made for offers and still holds (private: bittorrent-tracker's `peers` by offer id). */
  const pendingOffers = (torrent: Torrent) => Object.keys((torrent as unknown as { discovery: { tracker: { _trackers: { peers: object }[] } } }).discovery.tracker._trackers[0]!.peers).length

  it('a complete torrent announces with no WebRTC offer and is still listed; one that downloads sends its offers', async () => {
    const seed = await announced('seed-no-offers', true)
    const leech = await announced('leech-offers', false)
    expect(pendingOffers(seed)).toBe(0)
    expect(pendingOffers(leech)).toBeGreaterThan(0)
  })
})

describe('tracker-messages: torrents sharing one WebSocket tracker socket (bittorrent-tracker pools one per URL)', () => {
  let tracker: LocalTracker
  const clients: WebTorrent[] = []
  const dirs: string[] = []
  const realParse = JSON.parse
  /** How many times each tracker answer (it carries an interval; what clients send does not) was parsed. */
  let answerParses = 0
  beforeAll(async () => {
    tracker = await startTracker({ intervalMs: DOWNLOAD_TRACKER_INTERVAL_MS })
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === 'string' && text.includes('"interval"') && text.includes('"action":"announce"')) answerParses++
      return realParse(text, reviver)
    }) as typeof JSON.parse
  })
  afterAll(async () => {
    JSON.parse = realParse
    for (const client of clients) await destroyClient(client)
    await tracker.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  const nextTick = () => new Promise((resolve) => setImmediate(resolve))

  /** Parses of the one answer to a fresh announce of `torrent` (numwant 0: the answer is the only message). */
  async function parsesOfOneAnswer(torrent: Torrent): Promise<number> {
    await nextTick()
    answerParses = 0
    const announced = new Promise((resolve) => torrent.once('trackerAnnounce', resolve))
    ;(torrent as unknown as { discovery: { tracker: { update(): void } } }).discovery.tracker.update()
    await announced
    await nextTick() // the socket's emit has reached every listener
    return answerParses
  }

  it('finds in the prebuilt module the handler it replaces, as it was written against', () => {
    // the patch re-does this handler's announce branch with one parse: if it changed, so must the patch
    expect(browserModule).toContain('_onSocketData(e){if(!this.destroyed){this.expectingResponse=!1;try{e=JSON.parse(c(e))}catch(e){return void this.client.emit("warning",new Error("Invalid tracker response"))}"announce"===e.action?this._onAnnounceResponse(e):')
    expect(browserModule).toContain('_onAnnounceResponse(e){if(e.info_hash!==this.client._infoHashBinary)return')
    expect(browserModule).toContain('_startDiscovery(){if(this.discovery||this.destroyed)return;')
  })

  it('an announce answer is parsed once, not once per torrent on the socket', async () => {
    const client = await createLoopbackClient({ tcpPort: false, numwant: 0 })
    clients.push(client)
    const torrents: Torrent[] = []
    for (const name of ['shared-1', 'shared-2', 'shared-3']) {
      const file = makeTorrent({ name, files: [{ path: ['a.bin'], length: 16 * 1024 }], announce: tracker.wsUrl })
      const torrent = client.add(file, { announce: [tracker.wsUrl] })
      if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
      torrents.push(torrent)
    }
    const deadline = Date.now() + 20_000
    while (torrents.some((t) => !tracker.server.torrents[t.infoHash]?.peers.length) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const before = await parsesOfOneAnswer(torrents[0]!)
    expect(before, 'unpatched: every torrent on the socket parses it').toBe(3)
    for (const torrent of torrents) parseTrackerMessagesOnce(asBrowser(torrent))
    const after = await parsesOfOneAnswer(torrents[0]!)
    expect(after).toBe(1)
    // and each torrent still hears its own answers
    expect(await parsesOfOneAnswer(torrents[2]!)).toBe(1)
  })

  it('two torrents on one socket, patched, still get their WebRTC peers and download exact bytes', async () => {
    // Only the leecher offers, one offer an announce (see the describe's tracker): see oneWayPair.
    const { seeder, leecher } = await oneWayPair()
    clients.push(seeder, leecher)
    const seedDir = mkdtempSync(join(tmpdir(), 'door-ws-seed-'))
    const leechDir = mkdtempSync(join(tmpdir(), 'door-ws-leech-'))
    dirs.push(seedDir, leechDir)
    const payloads = [1, 2].map((n) => Buffer.from(Array.from({ length: 300 * 1024 + n }, (_, i) => (i * 31 + n) & 0xff)))
    const seeds = await Promise.all(payloads.map((data, n) => new Promise<Torrent>((resolve) => {
      seeder.seed(data, { name: `webrtc-${n}.bin`, announce: [tracker.wsUrl], path: seedDir } as Parameters<WebTorrent['seed']>[1], resolve)
    })))
    for (const seed of seeds) parseTrackerMessagesOnce(asBrowser(seed))
    const downloads = seeds.map((seed) => {
      const torrent = leecher.add(seed.torrentFile, { announce: [tracker.wsUrl], path: leechDir } as Parameters<WebTorrent['add']>[1])
      parseTrackerMessagesOnce(asBrowser(torrent))
      return new Promise<Torrent>((resolve) => torrent.once('done', () => resolve(torrent)))
    })
    const downloaded = await Promise.all(downloads)
    // delivered by the socket's router: each torrent's tracker is routed, none has a listener of its own
    type Routed = { discovery: { tracker: { _trackers: { socket: { listenerCount(e: string): number } }[] } } }
    const wsTrackers = [...seeds, ...downloaded].map((t) => (t as unknown as Routed).discovery.tracker._trackers[0]!)
    for (const ws of wsTrackers) expect(routedTrackers(ws.socket)?.has(ws)).toBe(true)
    expect(wsTrackers[0]!.socket.listenerCount('data')).toBe(1)
    for (const [n, data] of payloads.entries()) {
      const saved = readFileSync(join(leechDir, `webrtc-${n}.bin`))
      expect(createHash('sha256').update(saved).digest('hex'), `torrent ${n}`).toBe(createHash('sha256').update(data).digest('hex'))
    }
  }, 60_000)
})

describe('tracker-socket-router: a shared socket\'s one listener hands an announce message to its torrent only', () => {
  let tracker: LocalTracker
  let client: WebTorrent
  beforeAll(async () => {
    tracker = await startTracker({ intervalMs: 600_000 }) // WebSocket clients told 120 s: no re-announce of its own in a test
    client = await createLoopbackClient({ tcpPort: false, numwant: 0 })
  })
  afterAll(async () => {
    await destroyClient(client)
    await tracker.close()
  })

  interface TrackerClient {
    update(): void
    scrape(): void
    on(event: 'update' | 'scrape', fn: (data: { announce: string; infoHash: string; complete: number; incomplete: number }) => void): void
    removeAllListeners(event: string): void
    _trackers: WsTracker[]
  }
  interface WsTracker {
    socket: { listeners(event: string): unknown[]; listenerCount(event: string): number } | null
    reconnectTimer: ReturnType<typeof setTimeout> | null
    setInterval(ms?: number): void
    _onSocketClose(): void
    _openSocket(): void
  }
  const trackerClientOf = (t: Torrent) => (t as unknown as { discovery: { tracker: TrackerClient } }).discovery.tracker
  const wsTrackerOf = (t: Torrent) => trackerClientOf(t)._trackers[0]!
  const nextTick = () => new Promise((resolve) => setImmediate(resolve))

  async function addListed(name: string): Promise<Torrent> {
    const file = makeTorrent({ name, files: [{ path: ['a.bin'], length: 16 * 1024 }], announce: tracker.wsUrl })
    const torrent = client.add(file, { announce: [tracker.wsUrl] })
    const answered = new Promise((resolve) => torrent.once('trackerAnnounce', resolve)) // its first announce's answer arrived
    parseTrackerMessagesOnce(asBrowser(torrent))
    await answered
    expect(tracker.server.torrents[torrent.infoHash]?.peers.length, `${name}: listed`).toBe(1)
    return torrent
  }

  /** `handler` calls by tracker while `during` runs (the patched prototype's handler, wrapped). */
  async function handlerCalls(torrents: Torrent[], during: () => Promise<unknown>, handler: '_onSocketData' | '_onScrapeResponse' = '_onSocketData'): Promise<Map<object, number>> {
    const proto = Object.getPrototypeOf(wsTrackerOf(torrents[0]!)) as Record<typeof handler, (this: object, data: unknown) => void>
    const inner = proto[handler]
    const calls = new Map<object, number>()
    proto[handler] = function (this: object, data: unknown) {
      calls.set(this, (calls.get(this) ?? 0) + 1)
      inner.call(this, data)
    }
    try {
      await during()
      await nextTick() // the socket's emit is over
    } finally {
      proto[handler] = inner
    }
    return calls
  }

  /** One fresh announce of `torrent` (numwant 0: its answer is the only message), with the update its tracker client emits. */
  async function announceOnce(torrent: Torrent) {
    const client = trackerClientOf(torrent)
    const update = new Promise<{ infoHash: string; complete: number; incomplete: number }>((resolve) => client.on('update', resolve))
    client.update()
    const data = await update
    client.removeAllListeners('update')
    return data
  }

  it('finds in the prebuilt module the socket listener it moves and every path that removes it, as it was written against', () => {
    // _openSocket: the listener made and added last (the router takes it off right after)
    expect(browserModule).toContain('this._onSocketDataBound=e=>{this._onSocketData(e)}')
    expect(browserModule).toContain('this.socket.on("data",this._onSocketDataBound),this.socket.once("close",this._onSocketCloseBound)')
    // destroy removes it (and the pool's cleanup is in destroy: the last consumer destroys the socket,
    // waiting for one message if expectingResponse)
    expect(browserModule).toContain('destroy(e=bt){if(this.destroyed)return e(null);this.destroyed=!0,')
    expect(browserModule).toContain('this.socket.removeListener("data",this._onSocketDataBound)')
    expect(browserModule).toContain('_t[this.announceUrl].consumers>0)return e();let t,n=_t[this.announceUrl];if(delete _t[this.announceUrl],n.on("error",bt),n.once("close",e),!this.expectingResponse)return i();')
    // the socket's close and error go through destroy; a reconnect through _openSocket; an error's
    // warning is emitted once per tracker, with the socket's error object (the router folds them)
    expect(browserModule).toContain('_onSocketClose(){this.destroyed||(this.destroy(),this._startReconnectTimer())}')
    expect(browserModule).toContain('_onSocketError(e){this.destroyed||(this.destroy(),this.client.emit("warning",e),this._startReconnectTimer())}')
    expect(browserModule).toContain('this.reconnectTimer=setTimeout(()=>{this.retries++,this._openSocket()}')
    // expectingResponse: set by _send, cleared by every message on the socket
    expect(browserModule).toContain('_send(e){if(this.destroyed)return;this.expectingResponse=!0;')
    // an announce message is dropped by any tracker but its torrent's
    expect(browserModule).toContain('_onAnnounceResponse(e){if(e.info_hash!==this.client._infoHashBinary)return')
    // the socket's lifecycle listeners the router takes over: connect (the socket's maker), close and
    // error per tracker, and a connect one per announce or scrape put off until the socket connects
    expect(browserModule).toContain('this.socket.consumers=1,this.socket.once("connect",this._onSocketConnectBound)}this.socket.on("data",this._onSocketDataBound),this.socket.once("close",this._onSocketCloseBound),this.socket.once("error",this._onSocketErrorBound)}')
    expect(browserModule).toContain('announce(e){if(this.destroyed||this.reconnecting)return;if(!this.socket.connected)return void this.socket.once("connect",()=>{this.announce(e)});')
    expect(browserModule).toContain('scrape(e){if(this.destroyed||this.reconnecting)return;if(!this.socket.connected)return void this.socket.once("connect",()=>{this.scrape(e)});')
    expect(browserModule).toContain('this.socket.removeListener("connect",this._onSocketConnectBound),this.socket.removeListener("data",this._onSocketDataBound),this.socket.removeListener("close",this._onSocketCloseBound),this.socket.removeListener("error",this._onSocketErrorBound)')
    // a tracker on a pooled socket has its connect handler called only if the socket is open already
    // (the router calls it when a connecting one opens); the handler re-announces a reconnecting tracker
    expect(browserModule).toContain('this.socket=_t[this.announceUrl],this.socket)_t[this.announceUrl].consumers+=1,this.socket.connected&&this._onSocketConnectBound();else{')
    expect(browserModule).toContain('_onSocketConnect(){this.destroyed||this.reconnecting&&(this.reconnecting=!1,this.retries=0,this.announce(this.client._defaultAnnounceOpts()))}')
    // and the Node build the tests below run is the same source
    expect(readFileSync('node_modules/bittorrent-tracker/package.json', 'utf8')).toContain('"version": "11.2.3"')
  })

  it('N torrents on one socket: one data listener; each announce answer reaches its torrent\'s handler once and no other, with its own counts and interval; a scrape answer its asker only', async () => {
    const torrents: Torrent[] = []
    for (let i = 0; i < 6; i++) torrents.push(await addListed(`routed-${i}`))
    const socket = wsTrackerOf(torrents[0]!).socket!
    for (const t of torrents) expect(wsTrackerOf(t).socket, 'one pooled socket').toBe(socket)
    expect(socket.listenerCount('data'), 'the router only').toBe(1)
    expect(routedTrackers(socket)?.size).toBe(6)

    const intervals = new Map<object, number[]>()
    for (const t of torrents) {
      const ws = wsTrackerOf(t)
      const own = ws.setInterval
      ws.setInterval = function (this: WsTracker, ms?: number) {
        intervals.set(this, [...(intervals.get(this) ?? []), ms ?? -1])
        own.call(this, ms)
      }
    }
    for (const torrent of torrents) {
      intervals.clear()
      let update: Awaited<ReturnType<typeof announceOnce>> | undefined
      const calls = await handlerCalls(torrents, async () => { update = await announceOnce(torrent) })
      expect([...calls.entries()], 'its tracker\'s handler, once').toEqual([[wsTrackerOf(torrent), 1]])
      expect(update?.infoHash).toBe(torrent.infoHash)
      const swarm = tracker.server.torrents[torrent.infoHash]!
      expect([update?.complete, update?.incomplete]).toEqual([swarm.complete, swarm.incomplete])
      // the tracker's interval for WebSocket clients (bittorrent-tracker's server: a fifth of its own)
      expect([...intervals.entries()], 'its own interval, from its own answer').toEqual([[wsTrackerOf(torrent), [120_000]]])
    }

    // a scrape answer reaches the tracker that asked (bittorrent-tracker handed it to every tracker on the socket)
    const scraped = new Promise<{ infoHash: string; complete: number; incomplete: number }>((resolve) => trackerClientOf(torrents[2]!).on('scrape', resolve))
    const calls = await handlerCalls(torrents, async () => {
      trackerClientOf(torrents[2]!).scrape()
      const data = await scraped
      expect(data.infoHash).toBe(torrents[2]!.infoHash)
      const swarm = tracker.server.torrents[torrents[2]!.infoHash]!
      expect([data.complete, data.incomplete]).toEqual([swarm.complete, swarm.incomplete])
    }, '_onScrapeResponse')
    expect([...calls.entries()], 'its tracker only, once').toEqual([[wsTrackerOf(torrents[2]!), 1]])
  }, 60_000)

  it('a destroyed torrent\'s tracker leaves the router (none kept as torrents come and go); a reconnecting one is routed once again', async () => {
    const socketOf = async () => {
      const t = await addListed('probe')
      const s = wsTrackerOf(t).socket!
      await new Promise<void>((resolve) => t.destroy({}, () => resolve()))
      return s
    }
    const socket = await socketOf()
    const before = routedTrackers(socket)!.size
    const added: Torrent[] = []
    for (let i = 0; i < 5; i++) added.push(await addListed(`come-and-go-${i}`))
    const trackers = added.map(wsTrackerOf)
    expect(routedTrackers(socket)?.size).toBe(before + 5)
    for (const t of added) await new Promise<void>((resolve) => t.destroy({}, () => resolve()))
    expect(routedTrackers(socket)?.size).toBe(before)
    for (const ws of trackers) expect(routedTrackers(socket)?.has(ws), 'destroyed: gone from the router').toBe(false)
    expect(socket.listenerCount('data')).toBe(1)

    // bittorrent-tracker's reconnect: _onSocketClose destroys the tracker, a timer (10 s at least)
    // calls _openSocket; the timer is run at once here
    const torrent = await addListed('reconnecting')
    const ws = wsTrackerOf(torrent)
    ws._onSocketClose()
    expect(routedTrackers(socket)?.has(ws), 'closed: out').toBe(false)
    clearTimeout(ws.reconnectTimer!)
    const reannounced = new Promise((resolve) => torrent.once('trackerAnnounce', resolve))
    ws._openSocket() // the socket is open: it announces again at once
    expect(routedTrackers(socket)?.has(ws), 'reopened: in').toBe(true)
    expect(socket.listenerCount('data'), 'still the router only').toBe(1)
    await reannounced
    const calls = await handlerCalls([torrent], () => announceOnce(torrent))
    expect([...calls.entries()]).toEqual([[ws, 1]])
  }, 60_000)

  it('expectingResponse as before: cleared by any message on the socket, also one for another torrent', async () => {
    // bittorrent-tracker's flag, read by destroy (the socket's last tracker waits for a message if set):
    // set at each send and cleared by each tracker's listener at every message on the socket. An
    // answer to an offer is a send the tracker server does not answer.
    const a = await addListed('expecting-a')
    const b = await addListed('expecting-b')
    const wsA = wsTrackerOf(a) as WsTracker & { expectingResponse: boolean; _send(p: object): void; client: { _infoHashBinary: string; _peerIdBinary: string } }
    wsA._send({ action: 'announce', info_hash: wsA.client._infoHashBinary, peer_id: wsA.client._peerIdBinary, to_peer_id: 'p'.repeat(20), offer_id: 'o'.repeat(20), answer: { type: 'answer', sdp: 'v=0' } })
    expect(wsA.expectingResponse).toBe(true)
    const calls = await handlerCalls([a, b], () => announceOnce(b))
    expect([...calls.entries()], 'b\'s answer to b only').toEqual([[wsTrackerOf(b), 1]])
    expect(wsA.expectingResponse, 'a message came on the socket').toBe(false)
  }, 30_000)

  it('the socket\'s last tracker destroyed: the pool closes the socket and its router is gone', async () => {
    const torrent = await addListed('last')
    const socket = wsTrackerOf(torrent).socket!
    expect(routedTrackers(socket)?.has(wsTrackerOf(torrent))).toBe(true)
    for (const t of [...client.torrents]) await new Promise<void>((resolve) => t.destroy({}, () => resolve()))
    expect(routedTrackers(socket)).toBeUndefined()
    // the pool destroys it (after one more message if an answer was awaited: bittorrent-tracker's DESTROY_TIMEOUT)
    const deadline = Date.now() + 10_000
    while (!(socket as unknown as { destroyed: boolean }).destroyed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(socket.listenerCount('data'), 'no listener left on it').toBe(0)
  }, 30_000)
})

describe('tracker-offers: announces of many torrents at once make their WebRTC offers over several tasks', () => {
  let tracker: LocalTracker
  let client: WebTorrent
  beforeAll(async () => {
    tracker = await startTracker()
    client = await createLoopbackClient({ tcpPort: false })
  })
  afterAll(async () => {
    await destroyClient(client)
    await tracker.close()
  })

  type Announcing = { discovery: { tracker: { update(): void; _trackers: { peers: object }[] } } }
  /** RTCPeerConnections made for offers and still waiting for an answer (bittorrent-tracker's private `peers`). */
  const offers = (torrent: Torrent) => Object.keys((torrent as unknown as Announcing).discovery.tracker._trackers[0]!.peers).length

  it('finds in the prebuilt module the offer maker it paces, called from announce as it was written against', () => {
    expect(browserModule).toContain('const n=Math.min(e.numwant,5);this._generateOffers(n,e=>{t.numwant=n,t.offers=e,this._send(t)})')
    expect(browserModule).toContain('_generateOffers(e,t){const n=this,i=[];')
  })

  it('unpatched, every announce makes its offers in the task that asked; patched, later, and every torrent still announces with them', async () => {
    const torrents: Torrent[] = []
    for (let i = 0; i < 4; i++) {
      const file = makeTorrent({ name: `paced-${i}`, files: [{ path: ['a.bin'], length: 16 * 1024 }], announce: tracker.wsUrl })
      const torrent = client.add(file, { announce: [tracker.wsUrl] })
      if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
      torrents.push(torrent)
    }
    const deadline = Date.now() + 20_000
    while (torrents.some((t) => !tracker.server.torrents[t.infoHash]?.peers.length) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const update = (t: Torrent) => (t as unknown as Announcing).discovery.tracker.update()

    let before = torrents.map(offers)
    for (const torrent of torrents) update(torrent)
    expect(torrents.map(offers).map((n, i) => n - before[i]!), 'unpatched: 5 offers each, at once').toEqual([5, 5, 5, 5])

    // a budget of 0 ms: no offer in the asking task, one torrent's per later task
    const tasks: number[] = []
    const budget = new TaskBudget(0, { now: () => performance.now(), nextTask: (fn) => setImmediate(() => { tasks.push(1); fn() }), onError: (err) => { throw err } })
    for (const torrent of torrents) paceTrackerOffers(asBrowser(torrent), budget)
    before = torrents.map(offers)
    const announced = torrents.map((t) => new Promise((resolve) => t.once('trackerAnnounce', resolve)))
    for (const torrent of torrents) update(torrent)
    expect(torrents.map(offers).map((n, i) => n - before[i]!), 'patched: none in the asking task').toEqual([0, 0, 0, 0])
    expect(budget.pending).toBe(4)
    await Promise.all(announced)
    expect(torrents.map(offers).map((n, i) => n - before[i]!), 'each made its offers later').toEqual([5, 5, 5, 5])
    expect(budget.pending).toBe(0)
    expect(tasks.length, 'over several tasks').toBeGreaterThanOrEqual(4)
  }, 60_000)
})

describe('adaptive-offers: fewer WebRTC offers where none is answered, all 5 again once a WebRTC peer shows', () => {
  let tracker: LocalTracker
  const clients: WebTorrent[] = []
  const dirs: string[] = []
  beforeAll(async () => {
    tracker = await startTracker() // a 1 s WebSocket announce interval: the announces come by themselves
  })
  afterAll(async () => {
    for (const client of clients) await destroyClient(client)
    await tracker.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** The offers each announce of `infoHash` carried, as the tracker's server received them, in order. */
  function offersReceived(infoHash: string): number[] {
    const seen: number[] = []
    const onAnnounce = (_peerId: unknown, params: unknown) => {
      const p = params as { info_hash?: string; offers?: unknown[] }
      if (p.info_hash === infoHash && Array.isArray(p.offers)) seen.push(p.offers.length)
    }
    for (const event of ['start', 'update']) tracker.server.on(event, onAnnounce)
    return seen
  }
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + 30_000
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('finds in the prebuilt module the offer maker, sender and answer handler it wraps', () => {
    expect(browserModule).toContain('const n=Math.min(e.numwant,5);this._generateOffers(n,e=>{t.numwant=n,t.offers=e,this._send(t)})')
    expect(browserModule).toContain('_send(e){if(this.destroyed)return;this.expectingResponse=!0;const t=JSON.stringify(e);')
    expect(browserModule).toContain('_onAnnounceResponse(e){if(e.info_hash!==this.client._infoHashBinary)return')
    // its waiting offers are `peers` keyed by the offer id in hex, and an answer is looked up there
    expect(browserModule).toContain('e.answer&&e.peer_id){const t=b(e.offer_id);r=this.peers[t],r?(r.id=b(e.peer_id)')
  })

  it('alone in its swarm a torrent offers 5, 2, 1, then none an announce; a WebRTC seeder that offers nothing joins, the swarm count rises, the next announce offers 5, the seeder answers, the download is exact', async () => {
    const seedDir = mkdtempSync(join(tmpdir(), 'door-adaptive-seed-'))
    const leechDir = mkdtempSync(join(tmpdir(), 'door-adaptive-leech-'))
    dirs.push(seedDir, leechDir)
    const data = Buffer.from(Array.from({ length: 200 * 1024 + 7 }, (_, i) => (i * 131 + 7) & 0xff))
    writeFileSync(join(seedDir, 'adaptive.bin'), data)
    // the .torrent, made by a client that announces nowhere
    const maker = await createLoopbackClient({ webrtc: false })
    const made = await new Promise<Torrent>((resolve) => maker.seed(join(seedDir, 'adaptive.bin'), { announce: [] } as Parameters<WebTorrent['seed']>[1], resolve))
    const torrentFile = made.torrentFile
    await destroyClient(maker)

    const leecher = await createLoopbackClient()
    clients.push(leecher)
    const seen = offersReceived(made.infoHash)
    const leech = leecher.add(torrentFile, { announce: [tracker.wsUrl], path: leechDir } as Parameters<WebTorrent['add']>[1])
    adaptTrackerOffers(asBrowser(leech))
    const done = new Promise((resolve) => leech.once('done', resolve))
    await until('four announces', () => seen.length >= 4)
    expect(seen.slice(0, 4), 'no WebRTC peer: 5, then fewer, then none').toEqual([5, 2, 1, 0])

    // a seeder that makes no offers itself (numwant 0): only the leecher's offers can connect them,
    // and the leecher makes some again because the tracker's swarm counts grew with the seeder
    const seeder = await createLoopbackClient({ numwant: 0 })
    clients.push(seeder)
    seeder.add(torrentFile, { announce: [tracker.wsUrl], path: seedDir } as Parameters<WebTorrent['add']>[1])
    await done
    const saved = readFileSync(join(leechDir, 'adaptive.bin'))
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))
    // complete, it offers none (numwant 0); what its next offers would be:
    const trackers = (leech as unknown as { discovery: { tracker: { _trackers: object[] } } }).discovery.tracker._trackers
    expect(offerCountOf(trackers[0]!).next, 'a WebRTC peer showed: all 5 again').toBe(5)
  }, 60_000)
})

describe('tracker-announce-ticker: every WebSocket tracker re-announces from one page-wide ticker, not an interval of its own', () => {
  let tracker: LocalTracker
  let client: WebTorrent
  beforeAll(async () => {
    tracker = await startTracker() // WebSocket clients told a 1 s interval: the re-announces come by themselves
    client = await createLoopbackClient({ tcpPort: false, numwant: 0 }) // numwant 0: announces without WebRTC offers, light
  })
  afterAll(async () => {
    await destroyClient(client)
    await tracker.close()
  })

  interface Reannouncing { interval: unknown; destroyed: boolean }
  const trackersOf = (torrent: Torrent) => (torrent as unknown as { discovery: { tracker: { _trackers: Reannouncing[] } } }).discovery.tracker._trackers
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + 30_000
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('finds in the prebuilt module the per-tracker interval it replaces, the client\'s call at start, and the answer\'s interval', () => {
    expect(browserModule).toContain('setInterval(e){null==e&&(e=this.DEFAULT_ANNOUNCE_INTERVAL),clearInterval(this.interval),e&&(this.interval=setInterval(()=>{this.announce(this.client._defaultAnnounceOpts())},e)')
    expect(browserModule).toContain('yt.prototype.DEFAULT_ANNOUNCE_INTERVAL=3e4')
    expect(browserModule).toMatch(/const (\w)=e\.interval\|\|e\["min interval"\];\1&&this\.setInterval\(1e3\*\1\)/)
    // destroy clears the interval itself (the patch leaves it null, so that clearInterval does nothing)
    expect(browserModule).toContain('destroy(e=bt){if(this.destroyed)return e(null);this.destroyed=!0,clearInterval(this.interval),clearTimeout(this.reconnectTimer)')
  })

  it('no tracker keeps an interval of its own; the ticker re-announces each torrent again and again, takes the tracker\'s new interval, and forgets a destroyed one', async () => {
    const ticker = new AnnounceTicker(1000, new TaskBudget(8, { now: () => performance.now(), nextTask: (fn) => setImmediate(fn), onError: (err) => { throw err } }))
    const updates = new Map<string, number>()
    const onUpdate = (_peerId: unknown, params: unknown) => {
      const hash = (params as { info_hash?: string }).info_hash
      if (hash) updates.set(hash, (updates.get(hash) ?? 0) + 1)
    }
    tracker.server.on('update', onUpdate) // announces with no event: only re-announces
    const torrents: Torrent[] = []
    for (let i = 0; i < 3; i++) {
      const file = makeTorrent({ name: `reannounce-${i}`, files: [{ path: ['a.bin'], length: 16 * 1024 }], announce: tracker.wsUrl })
      const torrent = client.add(file, { announce: [tracker.wsUrl] })
      // the first torrent's tracker had its interval set before the prototype was reached: adopted
      shareTrackerAnnounceTimer(asBrowser(torrent), ticker)
      if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
      torrents.push(torrent)
    }
    const trackers = torrents.map((t) => trackersOf(t)[0]!)
    expect(trackers.map((t) => t.interval), 'no interval of their own').toEqual([null, null, null])
    expect(trackers.map((t) => ticker.has(t)), 'each on the ticker').toEqual([true, true, true])
    expect(ticker.running).toBe(true)

    // 1 s from the tracker's answers: each torrent re-announces again and again, with no timer of its own
    await until('three re-announces of each torrent', () => torrents.every((t) => (updates.get(t.infoHash) ?? 0) >= 3))
    expect(trackers.map((t) => t.interval), 'still none of their own').toEqual([null, null, null])
    expect(trackers.map((t) => ticker.intervalOf(t))).toEqual([1000, 1000, 1000])

    // the tracker now answers 2 s (bittorrent-tracker's server tells WebSocket clients a fifth of its interval)
    ;(tracker.server as unknown as { intervalMs: number }).intervalMs = 10_000
    await until('the new interval taken from an answer', () => trackers.every((t) => ticker.intervalOf(t) === 2000))
    expect(trackers.map((t) => t.interval)).toEqual([null, null, null])

    // destroy: off the ticker, and no re-announce of it after its 'stopped'
    const [gone, ...kept] = torrents
    const stopped = new Promise((resolve) => tracker.server.once('stop', resolve))
    await new Promise<void>((resolve) => gone!.destroy({}, () => resolve()))
    expect(ticker.has(trackers[0]!)).toBe(false)
    await stopped
    const goneCount = updates.get(gone!.infoHash)
    const keptCounts = kept.map((t) => updates.get(t.infoHash) ?? 0)
    await until('two more re-announces of each other torrent', () => kept.every((t, i) => (updates.get(t.infoHash) ?? 0) >= keptCounts[i]! + 2))
    expect(updates.get(gone!.infoHash), 'none of the destroyed torrent').toBe(goneCount)

    for (const t of kept) await new Promise<void>((resolve) => t.destroy({}, () => resolve()))
    expect(ticker.size).toBe(0)
    expect(ticker.running, 'no tracker left: the timer stops').toBe(false)
    tracker.server.removeListener('update', onUpdate)
  }, 60_000)
})

describe('torrent-timers: one rechoke timer for the torrents with wires, no noPeers timer', () => {
  const clients: WebTorrent[] = []
  const dirs: string[] = []
  afterAll(async () => {
    for (const client of clients) await destroyClient(client)
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  interface Timers { _rechokeIntervalId: unknown; _noPeersIntervalId: unknown; _rechoke(): void; wires: unknown[] }
  const timersOf = (torrent: Torrent) => torrent as unknown as Timers
  /** Counts the torrent's rechokes, which still run webtorrent's own. */
  function countRechokes(torrent: Torrent): { n: number } {
    const count = { n: 0 }
    const t = timersOf(torrent)
    const own = t._rechoke.bind(t)
    t._rechoke = () => { count.n++; own() }
    return count
  }

  it('a torrent without wires costs no timer; seeder and leecher with a wire are rechoked, and the download is exact', async () => {
    const ticks: (() => void)[] = []
    const manual: RechokeTimer = { start: (fn) => ticks.push(fn), stop: () => { ticks.length = 0 } }
    const rounds = new RechokeRounds(manual, (err) => { throw err })
    const seeder = await createLoopbackClient({ tcpPort: 0, webrtc: false })
    const leecher = await createLoopbackClient({ tcpPort: false, webrtc: false })
    clients.push(seeder, leecher)
    const seedDir = mkdtempSync(join(tmpdir(), 'door-timers-seed-'))
    const leechDir = mkdtempSync(join(tmpdir(), 'door-timers-leech-'))
    dirs.push(seedDir, leechDir)
    const data = Buffer.from(Array.from({ length: 200 * 1024 + 7 }, (_, i) => (i * 13 + 5) & 0xff))
    let seedTorrent: Torrent | undefined
    const seeded = new Promise<Torrent>((resolve) => {
      seedTorrent = seeder.seed(data, { name: 'timers.bin', path: seedDir } as Parameters<WebTorrent['seed']>[1], resolve) as unknown as Torrent
    })
    expect(shareTorrentTimers(asBrowser(seedTorrent!), rounds)).toBe(true)
    const seed = await seeded
    expect(timersOf(seed)._rechokeIntervalId, 'its own rechoke interval cleared').toBeNull()
    expect(timersOf(seed)._noPeersIntervalId, 'its noPeers interval cleared (nothing listens)').toBeNull()
    expect(rounds.size).toBe(1)
    expect(ticks, 'one shared timer').toHaveLength(1)
    const seedRechokes = countRechokes(seed)
    ticks[0]!()
    expect(seedRechokes.n, 'no wire: no rechoke').toBe(0)

    const torrent = leecher.add(seed.torrentFile, { path: leechDir } as Parameters<WebTorrent['add']>[1])
    expect(shareTorrentTimers(asBrowser(torrent), rounds)).toBe(true)
    if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
    expect(timersOf(torrent)._rechokeIntervalId).toBeNull()
    expect(rounds.size).toBe(2)
    expect(ticks, 'still one shared timer').toHaveLength(1)
    const leechRechokes = countRechokes(torrent)
    const done = new Promise((resolve) => torrent.once('done', resolve))
    const seederPort = (seeder as unknown as { torrentPort: number }).torrentPort
    ;(torrent as unknown as { addPeer(addr: string): void }).addPeer(`127.0.0.1:${seederPort}`)
    while (timersOf(torrent).wires.length === 0 || timersOf(seed).wires.length === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    ticks[0]!()
    expect(seedRechokes.n, 'the seeder, with a wire, is rechoked').toBe(1)
    expect(leechRechokes.n, 'the leecher, with a wire, is rechoked').toBe(1)
    await done
    const saved = readFileSync(join(leechDir, 'timers.bin'))
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))

    // a destroyed torrent leaves the round at its destroy, not at the next tick (until then it held
    // its pieces' blocks, wires and store alive: 50 paused torrents ~100 MiB, test/bench/pause-heap-diff.ts)
    await new Promise((resolve) => torrent.destroy({}, resolve))
    expect(rounds.size, 'the destroyed leecher left at once').toBe(1)
    expect(ticks, 'the seeder still has the timer').toHaveLength(1)
    // and the timer stops with the last one
    await new Promise((resolve) => seed.destroy({}, resolve))
    expect(rounds.size).toBe(0)
    expect(rounds.running).toBe(false)
    expect(ticks).toHaveLength(0)
  }, 60_000)

  it('leaves the noPeers interval to a torrent whose noPeers someone listens to', async () => {
    const client = await createLoopbackClient({ tcpPort: false, webrtc: false })
    clients.push(client)
    const rounds = new RechokeRounds({ start: () => 1, stop: () => {} })
    const file = makeTorrent({ name: 'listened', files: [{ path: ['a.bin'], length: 16 * 1024 }] })
    const torrent = client.add(file, { announce: [] })
    torrent.on('noPeers', () => {})
    shareTorrentTimers(asBrowser(torrent), rounds)
    if (!torrent.ready) await new Promise((resolve) => torrent.once('ready', resolve))
    expect(timersOf(torrent)._noPeersIntervalId).not.toBeNull()
    expect(timersOf(torrent)._rechokeIntervalId).toBeNull()
  })
})

describe('destroyed-peer-handlers: a destroyed WebRTC peer releases its closed connection\'s and channel\'s handlers', () => {
  /** simple-peer's Peer (the private members read here): the one webtorrent's Node build and the prebuilt module use. */
  interface SimplePeer {
    _pc: object | null
    _channel: object | null
    destroyed: boolean
    signal(data: unknown): void
    destroy(): void
    on(event: string, fn: (arg: unknown) => void): void
    once(event: string, fn: () => void): void
  }
  type SimplePeerCtor = new (opts: object) => SimplePeer
  let Peer: SimplePeerCtor
  const clients: WebTorrent[] = []
  const dirs: string[] = []
  let tracker: LocalTracker
  beforeAll(async () => {
    // @ts-ignore -- simple-peer ships no types; bittorrent-tracker's WebSocket tracker imports this file
    Peer = ((await import('@thaunknown/simple-peer/lite.js')) as { default: SimplePeerCtor }).default
    tracker = await startTracker({ intervalMs: DOWNLOAD_TRACKER_INTERVAL_MS })
  })
  afterAll(async () => {
    for (const client of clients) await destroyClient(client)
    await tracker.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** The `on*` handler attributes of an RTCPeerConnection or RTCDataChannel that still hold a function. */
  const handlersSet = (target: object) => [...new Set([...Object.getOwnPropertyNames(target), ...Object.getOwnPropertyNames(Object.getPrototypeOf(target) as object)])]
    .filter((key) => key.startsWith('on') && typeof (target as Record<string, unknown>)[key] === 'function')
    .sort()

  /** Waits (20 s at most) until simple-peer's clean-up ran: it drops `_pc` in the same task as it releases. */
  async function cleanedUp(peer: SimplePeer): Promise<void> {
    const deadline = Date.now() + 20_000
    while (peer._pc !== null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(peer._pc, 'simple-peer cleaned up').toBeNull()
  }

  /** Two simple-peers on loopback, signalled to each other as bittorrent-tracker does (trickle off), connected. */
  async function connectedPair(): Promise<[SimplePeer, SimplePeer]> {
    const a = new Peer({ initiator: true, trickle: false, config: { iceServers: [] } })
    const b = new Peer({ trickle: false, config: { iceServers: [] } })
    a.on('signal', (data) => { if (!b.destroyed) b.signal(data) })
    b.on('signal', (data) => { if (!a.destroyed) a.signal(data) })
    a.on('error', () => {})
    b.on('error', () => {})
    await Promise.all([a, b].map((p) => new Promise<void>((resolve) => p.once('connect', resolve))))
    return [a, b]
  }

  /** Destroys `a`; the handlers left on each side's connection and channel once both are cleaned up (b by a's channel closing). */
  async function leftAfterDestroy(a: SimplePeer, b: SimplePeer): Promise<Record<string, string[]>> {
    const held = { aPc: a._pc!, aChannel: a._channel!, bPc: b._pc!, bChannel: b._channel! }
    for (const target of Object.values(held)) expect(handlersSet(target).length).toBeGreaterThan(0)
    a.destroy()
    await cleanedUp(a)
    await cleanedUp(b)
    return Object.fromEntries(Object.entries(held).map(([name, target]) => [name, handlersSet(target)]))
  }

  it('finds in the prebuilt module simple-peer\'s destroy as written against: it nulls neither onconnectionstatechange nor onbufferedamountlow', () => {
    // the one simple-peer the module bundles, and the handlers its clean-up nulls: if these change, see whether the patch is still needed
    expect(browserModule.split('cannot signal after peer is destroyed').length).toBe(2)
    expect(browserModule).toContain('this._channel.onmessage=null,this._channel.onopen=null,this._channel.onclose=null,this._channel.onerror=null}if(this._pc){try{this._pc.close()}catch(e){}this._pc.oniceconnectionstatechange=null,this._pc.onicegatheringstatechange=null,this._pc.onsignalingstatechange=null,this._pc.onicecandidate=null,this._pc.ontrack=null,this._pc.ondatachannel=null}this._pc=null,this._channel=null,t&&this.emit("error",t),e()},0)')
    expect(browserModule).toContain('this._pc.onconnectionstatechange=()=>{this._onConnectionStateChange()}')
    expect(browserModule).toContain('this._channel.onbufferedamountlow=()=>{this._onChannelBufferedAmountLow()}')
    // and bittorrent-tracker's WebSocket tracker makes every peer, through the private member the patch wraps
    expect(browserModule).toMatch(/_createPeer\(e\)\{const t=this;e=Object\.assign\(\{trickle:!1/)
  })

  it('patched through the WebSocket tracker\'s _createPeer: a download is byte-exact, and its destroyed peers hold no handler', async () => {
    const { seeder, leecher } = await oneWayPair()
    clients.push(seeder, leecher)
    const seedDir = mkdtempSync(join(tmpdir(), 'door-peer-seed-'))
    const leechDir = mkdtempSync(join(tmpdir(), 'door-peer-leech-'))
    dirs.push(seedDir, leechDir)
    const data = Buffer.from(Array.from({ length: 300 * 1024 + 7 }, (_, i) => (i * 13 + 5) & 0xff))
    const seed = await new Promise<Torrent>((resolve) => {
      seeder.seed(data, { name: 'peer-handlers.bin', announce: [tracker.wsUrl], path: seedDir } as Parameters<WebTorrent['seed']>[1], resolve)
    })
    releaseDestroyedPeerHandlers(asBrowser(seed))
    const torrent = leecher.add(seed.torrentFile, { announce: [tracker.wsUrl], path: leechDir } as Parameters<WebTorrent['add']>[1])
    releaseDestroyedPeerHandlers(asBrowser(torrent))
    await new Promise((resolve) => torrent.once('done', resolve))
    const saved = readFileSync(join(leechDir, 'peer-handlers.bin'))
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))

    const peers = [...(torrent as unknown as { _peers: Map<string, { type: string; conn: SimplePeer | null }> })._peers.values()]
      .filter((p) => p.type === 'webrtc' && p.conn?._pc && p.conn._channel).map((p) => p.conn!)
    expect(peers.length, 'a connected WebRTC peer').toBeGreaterThan(0)
    const held = peers.flatMap((p) => [p._pc!, p._channel!])
    await new Promise((resolve) => torrent.destroy({}, resolve))
    for (const peer of peers) await cleanedUp(peer)
    expect(held.map(handlersSet)).toEqual(held.map(() => []))
  }, 60_000)

  it('patched, both sides of a pair release every handler: the one destroyed and the one its closing channel destroys', async () => {
    releaseHandlersAtDestroy(Peer.prototype) // once: a no-op if the tracker's first peer patched it already
    const [a, b] = await connectedPair()
    expect(await leftAfterDestroy(a, b)).toEqual({ aPc: [], aChannel: [], bPc: [], bChannel: [] })
  })
})
