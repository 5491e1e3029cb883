import { describe, expect, it } from 'vitest'
import { readOpenedFile } from '../../src/engine/download-manager/read-opened-file'

describe('readOpenedFile', () => {
  it('gives a file\'s exact bytes, whatever its chunks', async () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff)
    const file = new File([bytes.subarray(0, 1), bytes.subarray(1, 70_000), bytes.subarray(70_000)], 'a.torrent')
    expect(await readOpenedFile(file, 300_000)).toEqual(bytes)
    expect(await readOpenedFile(new File([], 'empty.torrent'), 10)).toEqual(new Uint8Array(0))
  })

  it('gives nothing for a file of one byte over the limit', async () => {
    expect(await readOpenedFile(new File([new Uint8Array(1001)], 'big.torrent'), 1000)).toBeUndefined()
  })

  it('passes on a read that fails', async () => {
    const broken = { stream: () => new ReadableStream({ pull: (c) => c.error(new Error('gone')) }) } as unknown as Blob
    await expect(readOpenedFile(broken, 10)).rejects.toThrow('gone')
  })
})
