import { describe, expect, it } from 'vitest'
import { isWanted, progressOfFile, torrentComplete, torrentProgress, type PieceState, type ProgressFile } from '../../src/core/download-manager/progress'

/** Contiguous files from [length, pad?] pairs. */
function layout(...entries: [number, boolean?][]): ProgressFile[] {
  let offset = 0
  return entries.map(([length, pad]) => {
    const file = { offset, length, pad: Boolean(pad) }
    offset += length
    return file
  })
}

const size = (files: ProgressFile[]) => files.reduce((n, f) => n + f.length, 0)
const pieces = (files: ProgressFile[], verified: number[] | undefined, received?: Record<number, number>): PieceState => ({
  pieceLength: 16,
  totalLength: size(files),
  ...(verified ? { has: (p: number) => verified.includes(p) } : {}),
  ...(received ? { received: (p: number) => received[p] ?? 0 } : {}),
})

describe('isWanted', () => {
  it('wants every file but skipped ones and padding', () => {
    expect(isWanted({ offset: 0, length: 1, pad: false }, undefined)).toBe(true)
    expect(isWanted({ offset: 0, length: 1, pad: false }, 2)).toBe(true)
    expect(isWanted({ offset: 0, length: 1, pad: false }, 0)).toBe(false)
    expect(isWanted({ offset: 0, length: 1, pad: true }, 1)).toBe(false)
  })
})

describe('progressOfFile', () => {
  it('nothing is done before the torrent was ever checked, not even a zero-length file', () => {
    const files = layout([10], [0], [6])
    for (const file of files) expect(progressOfFile(file, pieces(files, undefined, { 0: 16 }))).toEqual({ downloaded: 0, done: false })
    expect(progressOfFile(files[1]!, pieces(files, []))).toEqual({ downloaded: 0, done: true })
  })

  it('issue 12: the 4-byte last file of a torrent that ends on a piece boundary reads its 4 bytes and done', () => {
    const files = layout([32], [45], [47], [4]) // 128 bytes, 8 pieces; the last file starts inside piece 7
    expect(progressOfFile(files[3]!, pieces(files, [7]))).toEqual({ downloaded: 4, done: true })
    expect(progressOfFile(files[3]!, pieces(files, [], { 7: 16 }))).toEqual({ downloaded: 3, done: false })
  })
})

describe('torrentProgress', () => {
  it('counts the wanted files only: not skipped ones, nor padding (BEP 47)', () => {
    // a [0,10) pad [10,16) b [16,40) skipped c [40,50): pieces [0,16) [16,32) [32,48) [48,50)
    const files = layout([10], [6, true], [24], [10])
    const priorities = [1, 1, 1, 0]
    expect(torrentProgress(files, priorities, pieces(files, [0, 1, 2, 3]))).toMatchObject({ wantedLength: 34, downloaded: 34, complete: true })
    expect(torrentProgress(files, priorities, pieces(files, [0, 1]))).toMatchObject({ wantedLength: 34, downloaded: 26, complete: false })
    // the piece b shares with the skipped file is needed; the skipped file's own last piece is not
    expect(torrentProgress(files, priorities, pieces(files, [0, 1, 2]))).toMatchObject({ downloaded: 34, complete: true })
    // a pad-only piece missing does not hold a torrent back
    const padded = layout([16], [16, true], [16])
    expect(torrentProgress(padded, [], pieces(padded, [0, 2]))).toMatchObject({ wantedLength: 32, downloaded: 32, complete: true })
  })

  it('reports each file, wanted or not, in order', () => {
    const files = layout([10], [6, true], [24], [10])
    const { files: each } = torrentProgress(files, [1, 1, 1, 0], pieces(files, [3]))
    expect(each).toEqual([
      { downloaded: 0, done: false },
      { downloaded: 0, done: false },
      { downloaded: 0, done: false },
      { downloaded: 2, done: false },
    ])
  })

  it('a torrent of zero-length wanted files is complete once checked; one with no wanted file too', () => {
    const files = layout([0], [0])
    expect(torrentProgress(files, [], pieces(files, []))).toEqual({ wantedLength: 0, downloaded: 0, complete: true, files: [{ downloaded: 0, done: true }, { downloaded: 0, done: true }] })
    expect(torrentProgress(files, [], pieces(files, undefined)).complete).toBe(false)
    const skipped = layout([20])
    expect(torrentProgress(skipped, [0], pieces(skipped, [])).complete).toBe(true)
  })

  it('adds received bytes, but reaches the wanted length only when complete', () => {
    const files = layout([20], [12])
    const half = torrentProgress(files, [], pieces(files, [0], { 1: 8 }))
    expect(half.downloaded).toBe(16 + 2 + 6) // piece 0 verified; 8 bytes of piece 1 shared 4:12 between the files
    const received = torrentProgress(files, [], pieces(files, [0], { 1: 16 }))
    expect(received.downloaded).toBe(19 + 11) // each file a byte short until its last piece is verified
    expect(received.complete).toBe(false)
  })

  it('is never below 0 nor above the wanted length, and complete as torrentComplete says, for random layouts', () => {
    let x = 7
    const random = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let round = 0; round < 300; round++) {
      const files = layout(...Array.from({ length: 1 + Math.floor(random() * 6) }, (): [number, boolean] => [Math.floor(random() * 60), random() < 0.15]))
      if (size(files) === 0) continue
      const count = Math.ceil(size(files) / 16)
      const verified = Array.from({ length: count }, (_, p) => p).filter(() => random() < 0.7)
      const received = Object.fromEntries(Array.from({ length: count }, (_, p) => [p, Math.floor(random() * 20)]))
      const priorities = files.map(() => (random() < 0.2 ? 0 : 1))
      const state = pieces(files, verified, received)
      const result = torrentProgress(files, priorities, state)
      expect(result.downloaded).toBeGreaterThanOrEqual(0)
      expect(result.downloaded).toBeLessThanOrEqual(result.wantedLength)
      expect(result.downloaded === result.wantedLength).toBe(result.complete || result.wantedLength === 0)
      expect(torrentComplete(files, priorities, state)).toBe(result.complete)
      result.files.forEach((file, i) => {
        expect(file.downloaded).toBeGreaterThanOrEqual(0)
        expect(file.downloaded === files[i]!.length).toBe(file.done || files[i]!.length === 0)
      })
    }
  })
})
