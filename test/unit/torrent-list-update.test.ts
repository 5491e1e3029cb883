import { describe, expect, it } from 'vitest'
import { withTorrent, withoutTorrent } from '../../src/core/download-manager/torrent-list-update'
import type { TorrentSnapshot } from '../../src/protocol/engine-events'

const row = (infoHash: string, name = infoHash) => ({ infoHash, name }) as TorrentSnapshot

describe('the page\'s torrent list, one torrent at a time', () => {
  it('puts a listed torrent\'s new snapshot in its place, and leaves the old list as it was', () => {
    const list = [row('a'), row('b'), row('c')]
    const next = withTorrent(list, row('b', 'B'))
    expect(next.map((t) => t.name)).toEqual(['a', 'B', 'c'])
    expect(list.map((t) => t.name)).toEqual(['a', 'b', 'c'])
    expect(next).not.toBe(list)
  })

  it('adds a new torrent last, as the engine lists them', () => {
    expect(withTorrent([row('a')], row('z')).map((t) => t.infoHash)).toEqual(['a', 'z'])
    expect(withTorrent([], row('z')).map((t) => t.infoHash)).toEqual(['z'])
  })

  it('drops a removed torrent, and only it', () => {
    expect(withoutTorrent([row('a'), row('b'), row('c')], 'b').map((t) => t.infoHash)).toEqual(['a', 'c'])
    expect(withoutTorrent([row('a')], 'x').map((t) => t.infoHash)).toEqual(['a'])
  })
})
