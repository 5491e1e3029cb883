import { describe, expect, it } from 'vitest'
import type { Metainfo, TorrentFile } from '../../src/core/torrent-parser/metainfo'
import { chosenPriorities, selectionRanges } from '../../src/core/piece-selection/selection'
import { applyChoice, choiceAddOptions, settleIfNothingToChoose } from '../../src/engine/download-manager/file-choice'
import type { StoredTorrent } from '../../src/protocol/stored-torrent'

/** Files of the given lengths (a negative length: a padding file of that many bytes), in order. */
function metainfo(lengths: number[], pieceLength = 100): Metainfo {
  let offset = 0
  const files: TorrentFile[] = lengths.map((signed, index) => {
    const length = Math.abs(signed)
    const file = { index, path: [`f${index}`], name: `f${index}`, length, offset, pad: signed < 0 }
    offset += length
    return file
  })
  return { infoHash: 'a'.repeat(40), name: 't', pieceLength, pieceCount: Math.ceil(offset / pieceLength), lastPieceLength: offset % pieceLength || pieceLength, length: offset, files } as Metainfo
}

const awaiting = (): StoredTorrent => ({ infoHash: 'a'.repeat(40), name: 't', addedAt: 0, paused: false, magnetURI: 'magnet:?xt=urn:btih:' + 'a'.repeat(40), awaitingFiles: true })

describe('choosing files for a magnet', () => {
  it('a choice becomes one priority per file: padding and files it does not name are skipped', () => {
    const meta = metainfo([150, -50, 200, 100])
    // The dialog shows no padding file, so its choice may be shorter than the file list.
    expect(chosenPriorities(meta.files, [0, 1, 1])).toEqual([0, 0, 1, 0])
    expect(chosenPriorities(meta.files, [1, 0, 0, 1])).toEqual([1, 0, 0, 1])
    // Only the chosen file's pieces are selected (file 2 lies in pieces 2..3).
    expect(selectionRanges(meta.files, meta.pieceLength, chosenPriorities(meta.files, [0, 1, 1]))).toEqual([{ from: 2, to: 3, priority: 0 }])
  })

  it('a torrent awaiting the choice starts with nothing selected; the choice ends the wait', () => {
    const stored = awaiting()
    expect(choiceAddOptions(stored)).toEqual({ deselect: true })
    applyChoice(stored, metainfo([100, 100, 100]), [0, 1, 0])
    expect(stored.priorities).toEqual([0, 1, 0])
    expect(stored.awaitingFiles).toBeUndefined()
    expect(choiceAddOptions(stored)).toEqual({})
  })

  it('metadata with a single file (padding aside) settles the choice at once: everything is wanted', () => {
    const single = awaiting()
    settleIfNothingToChoose(single, metainfo([300, -12]))
    expect(single.awaitingFiles).toBeUndefined()
    expect(single.priorities).toEqual([1, 0])
    const several = awaiting()
    settleIfNothingToChoose(several, metainfo([300, 5]))
    expect(several.awaitingFiles).toBe(true)
    expect(several.priorities).toBeUndefined()
    const notAsked = awaiting()
    delete notAsked.awaitingFiles
    settleIfNothingToChoose(notAsked, metainfo([300]))
    expect(notAsked.priorities).toBeUndefined()
  })
})
