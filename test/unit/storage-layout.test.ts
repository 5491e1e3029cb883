import { describe, expect, it } from 'vitest'
import { storageLayout } from '../../src/core/file-storage/storage-layout'

describe('storageLayout', () => {
  it('lists every file length in torrent order with the piece length', () => {
    const files = [{ length: 5, path: 'a' }, { length: 0, path: 'empty' }, { length: 2 ** 40, path: 'big' }]
    expect(storageLayout({ files, pieceLength: 16384 })).toEqual({ fileLengths: [5, 0, 2 ** 40], pieceLength: 16384 })
  })
  it('keeps nothing of the torrent but lengths (the layout crosses to the worker by postMessage)', () => {
    const files = [{ length: 7, path: 'x', offset: 0 }]
    const layout = storageLayout({ files, pieceLength: 32768 })
    expect(Object.keys(layout).sort()).toEqual(['fileLengths', 'pieceLength'])
    expect(layout).toEqual({ fileLengths: [7], pieceLength: 32768 })
  })
  it('has no files for a torrent with none', () => {
    expect(storageLayout({ files: [], pieceLength: 16384 })).toEqual({ fileLengths: [], pieceLength: 16384 })
  })
})
