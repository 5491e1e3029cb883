import { describe, expect, it } from 'vitest'
import { allFolders, buildFileTree, folderPath, type TreeFile } from '../../src/core/file-tree'

const file = (index: number, path: string, length = 1): TreeFile => ({ index, path: path.split('/'), length })

describe('buildFileTree', () => {
  it('puts files in their folders, each folder\'s files in one run, with its size', () => {
    const files = [file(0, 'album/disc 1/01.flac', 10), file(1, 'cover.jpg', 5), file(2, 'album/disc 2/01.flac', 20), file(3, 'album/notes.txt', 1)]
    const { root, ordered } = buildFileTree(files)
    expect(root.files.map((f) => f.index)).toEqual([1])
    const album = root.folders[0]!
    expect(album.folders.map((f) => f.name)).toEqual(['disc 1', 'disc 2'])
    expect(ordered.slice(album.from, album.to).map((f) => f.index)).toEqual([0, 2, 3])
    expect(album.size).toBe(31)
    expect(root.size).toBe(36)
    expect(root.from).toBe(0)
    expect(root.to).toBe(4)
    expect(folderPath(album.folders[1]!)).toBe('album/disc 2')
    expect(folderPath(root)).toBe('')
    expect(allFolders(root).map(folderPath)).toEqual(['album', 'album/disc 1', 'album/disc 2'])
  })

  it('finds a folder again among many, whatever the order of its files', () => {
    const files = [...Array.from({ length: 20 }, (_, i) => file(i, `a${i}/x`)), file(20, 'a3/y'), file(21, 'a15/y'), file(22, 'a0/z')]
    const { root } = buildFileTree(files)
    expect(root.folders).toHaveLength(20)
    expect(root.folders[3]!.files.map((f) => f.index)).toEqual([3, 20])
    expect(root.folders[15]!.files.map((f) => f.index)).toEqual([15, 21])
    expect(root.folders[0]!.files.map((f) => f.index)).toEqual([0, 22])
  })

  // issue 13: the dialog's first tree looked each folder up among its siblings one by one
  it('builds 100,000 folders side by side in linear time', { timeout: 5000 }, () => {
    const files = Array.from({ length: 100_000 }, (_, i) => file(i, `folder ${i}/file.bin`))
    const { root, ordered } = buildFileTree(files)
    expect(root.folders).toHaveLength(100_000)
    expect(ordered).toHaveLength(100_000)
    expect(root.folders[99_999]!.from).toBe(99_999)
  })

  it('walks 10,000 files 100 folders deep without recursion', { timeout: 5000 }, () => {
    const chain = Array.from({ length: 99 }, (_, d) => `d${d}`).join('/')
    const files = Array.from({ length: 10_000 }, (_, i) => file(i, `${chain}/f${i}`, 2))
    const { root } = buildFileTree(files)
    const folders = allFolders(root)
    expect(folders).toHaveLength(99)
    const deepest = folders[98]!
    expect(folderPath(deepest)).toBe(chain)
    expect([deepest.from, deepest.to, deepest.size, root.size]).toEqual([0, 10_000, 20_000, 20_000])
  })
})
