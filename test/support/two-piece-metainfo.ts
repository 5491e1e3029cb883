import type { Metainfo } from '../../src/core/torrent-parser/metainfo'

/** A torrent's parsed metainfo for engine unit tests: two pieces of 16 bytes, one file each. */
export const twoPieceMetainfo = {
  infoHash: 'a'.repeat(40), name: 'two', pieceLength: 16, pieceCount: 2, length: 32, private: false, announce: [], urlList: [],
  files: [
    { index: 0, name: 'two/a', path: ['two', 'a'], length: 16, offset: 0, pad: false },
    { index: 1, name: 'two/b', path: ['two', 'b'], length: 16, offset: 16, pad: false },
  ],
} as unknown as Metainfo
