import { describe, expect, it } from 'vitest'
import { FileTree, folderPath, type TreeFile } from '../../src/core/piece-selection/file-tree'

const file = (index: number, path: string, length = 1): TreeFile => ({ index, path: path.split('/'), length })
const indexes = (files: readonly TreeFile[]) => files.map((f) => f.index)

describe('FileTree', () => {
  it('lists a folder\'s subfolders and files; each listed folder\'s files are one run, with its size', () => {
    const files = [file(0, 'album/disc 1/01.flac', 10), file(1, 'cover.jpg', 5), file(2, 'album/disc 2/01.flac', 20), file(3, 'album/notes.txt', 1)]
    const tree = new FileTree(files)
    const top = tree.list(tree.root)
    expect(indexes(top.files)).toEqual([1])
    const album = top.folders[0]!
    expect(top.folders).toHaveLength(1)
    expect(indexes(tree.ordered.slice(album.from, album.to))).toEqual([0, 2, 3])
    expect([album.size, tree.root.size]).toEqual([31, 36])
    const inAlbum = tree.list(album)
    expect(inAlbum.folders.map((f) => f.name)).toEqual(['disc 1', 'disc 2'])
    expect(indexes(inAlbum.files)).toEqual([3])
    const disc2 = inAlbum.folders[1]!
    expect(indexes(tree.ordered.slice(disc2.from, disc2.to))).toEqual([2])
    expect(folderPath(disc2)).toBe('album/disc 2')
    expect(folderPath(tree.root)).toBe('')
    expect(tree.allFolders().map(folderPath)).toEqual(['album', 'album/disc 1', 'album/disc 2'])
    expect(tree.list(album)).toBe(inAlbum) // listed once
  })

  it('gathers a folder\'s files whatever their order', () => {
    const files = [...Array.from({ length: 20 }, (_, i) => file(i, `a${i}/x`)), file(20, 'a3/y'), file(21, 'a15/y'), file(22, 'a0/z')]
    const tree = new FileTree(files)
    const { folders } = tree.list(tree.root)
    expect(folders).toHaveLength(20)
    for (const [at, want] of [[3, [3, 20]], [15, [15, 21]], [0, [0, 22]]] as const) {
      expect(indexes(tree.list(folders[at]!).files)).toEqual(want)
      expect(indexes(tree.ordered.slice(folders[at]!.from, folders[at]!.to))).toEqual(want)
    }
  })

  // issue 13: the dialog's first tree looked each folder up among its siblings one by one
  it('lists 100,000 folders side by side in linear time', { timeout: 5000 }, () => {
    const tree = new FileTree(Array.from({ length: 100_000 }, (_, i) => file(i, `folder ${i}/file.bin`)))
    const { folders } = tree.list(tree.root)
    expect(folders).toHaveLength(100_000)
    expect(folders[99_999]!.from).toBe(99_999)
  })

  it('lists 10,000 files 100 folders deep, each in folders of their own, one level at a time', () => {
    const files = Array.from({ length: 10_000 }, (_, i) => ({ index: i, path: [...Array.from({ length: 99 }, (_, d) => `${i}-${d}`), 'leaf'], length: 2 }))
    const tree = new FileTree(files)
    const { folders } = tree.list(tree.root)
    expect(folders).toHaveLength(10_000)
    let deepest = folders[7]!
    while (tree.list(deepest).folders.length) deepest = tree.list(deepest).folders[0]!
    expect(deepest.depth).toBe(99)
    expect(folderPath(deepest)).toBe(files[7]!.path.slice(0, 99).join('/'))
    expect(indexes(tree.list(deepest).files)).toEqual([7])
  })
})
