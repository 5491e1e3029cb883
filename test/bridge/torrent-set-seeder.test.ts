// The scale bench's seeder (test/support/torrent-set-seeder.ts) stands for a desktop client with a
// big library that only accepts: the page dials it through the bridge. It must dial no one, though
// the tracker lists peers to it: bittorrent-tracker answers numwant 0 with up to 50 peers. When it
// dialed, each of its 950 torrents dialed the page's bridge port at every announce, each dial an
// encrypted one whose DiffieHellman costs webtorrent ~25 ms of CPU on the seeder's one thread
// (docs/SCALE-WORK.md, "why the small ones stall").
import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes, sameBytesTorrents } from '../bench/scale-torrents'
import { destroyClient } from '../support/client'
import { startTorrentSet, type TorrentSet } from '../support/torrent-set-seeder'
import { startTracker, type LocalTracker } from '../support/tracker'
import type { Torrent } from '../support/webtorrent-types'
import { tempDir } from './harness'

/** Each byte of a hex string as %XX: how an HTTP announce carries binary (BEP 3). */
const percentEncoded = (hex: string) => hex.replace(/../g, '%$&')

describe('the scale bench\'s torrent-set seeder', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let tracker: LocalTracker
  let leecher: Server
  let set: TorrentSet | undefined

  beforeAll(async () => {
    tmp = await tempDir('torrent-set-')
    // the default 5 s interval: the seeder announces again within seconds
    tracker = await startTracker()
    // a peer the tracker lists: a port that takes connections (and holds them)
    leecher = createServer((socket) => socket.on('error', () => {}))
    await new Promise<void>((resolve) => leecher.listen(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    if (set) await destroyClient(set.client)
    await new Promise<void>((resolve) => leecher?.close(() => resolve()))
    await tracker?.close()
    await tmp?.remove()
  })

  it('dials none of the peers its tracker lists', async () => {
    const [made] = await sameBytesTorrents(tmp.dir, ['Set seeder check'], randomBytes(32 * 1024), 16 * 1024, tracker.httpUrl)
    let torrent: Torrent | undefined
    set = await startTorrentSet({ torrents: [{ file: made!.file, path: made!.path }] }, (t) => { torrent = t })
    const seeding = torrent!
    expect(seeding.done, 'complete from the start (skipVerify)').toBe(true)

    const leecherPort = (leecher.address() as AddressInfo).port
    const announce = `${tracker.httpUrl}?info_hash=${percentEncoded(seeding.infoHash)}&peer_id=${percentEncoded('2d4c4b303030302d' + '61'.repeat(12))}`
      + `&port=${leecherPort}&uploaded=0&downloaded=0&left=${made!.length}&event=started&compact=1`
    const answer = await fetch(announce)
    expect(`${answer.status} ${Buffer.from(await answer.arrayBuffer()).toString('latin1')}`, 'the leecher announced').not.toMatch(/failure reason|^[^2]/)

    // The seeder's next announce is answered with the leecher (the swarm holds it now). webtorrent
    // hands the answer's peers to the torrent in the same task as its 'trackerAnnounce' event,
    // and a peer it takes is in `_peers` at once: read just after that task.
    const peersAfterAnswer = await new Promise<string[]>((resolve) => {
      const onAnnounce = (...args: unknown[]) => {
        if ((args[1] as { port?: number } | undefined)?.port !== set!.tcpPort) return
        tracker.server.removeListener('update', onAnnounce)
        seeding.once('trackerAnnounce', () => setImmediate(() => resolve([...(seeding._peers?.keys() ?? [])])))
      }
      tracker.server.on('update', onAnnounce)
    })
    expect(peersAfterAnswer).toEqual([])
  }, 60_000)
})
