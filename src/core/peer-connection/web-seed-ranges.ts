/**
 * Where a block of a torrent lives on a web seed (BEP 19): each file's URL, and the byte ranges
 * of those files that make up a block. A single-file torrent's web seed URL is the file itself
 * (or, ending in '/', the folder it is in); a multi-file torrent's is the folder that holds the
 * torrent's own folder: base/name/path/to/file. Every name is percent-encoded, so that a name
 * with '#', '?', '%' or '/' in it is still one name on the server. Padding files (BEP 47) are
 * zeros that no server holds: they are never fetched.
 */

export interface SeedFile {
  /** Where the web seed serves this file. */
  url: string
  /** Byte offset of the file within the torrent's data. */
  offset: number
  length: number
  pad: boolean
}

/** One range to fetch: `length` bytes from `start` in the file at `url`, landing at `at` in the block. */
export interface RangePart {
  url: string
  start: number
  length: number
  at: number
}

/**
 * Each file's URL on the web seed at `base`. `paths` are the torrent's own names (metainfo's
 * rawFilePaths: the torrent's name first); `files` its layout, in the same order.
 */
export function seedFiles(base: string, paths: readonly string[][], files: readonly { offset: number; length: number; pad: boolean }[]): SeedFile[] {
  const single = files.length === 1 && paths[0]?.length === 1
  return files.map((file, i) => {
    const path = paths[i] ?? []
    let url: string
    if (single) url = base.endsWith('/') ? base + encodeURIComponent(path[0] ?? '') : base
    else url = (base.endsWith('/') ? base : `${base}/`) + path.map(encodeURIComponent).join('/')
    return { url, offset: file.offset, length: file.length, pad: file.pad }
  })
}

/**
 * The ranges that make up bytes [offset, offset + length) of the torrent, in order, none longer
 * than `maxPart` (padding and empty files left out: their bytes are zeros, or none).
 */
export function blockParts(files: readonly SeedFile[], offset: number, length: number, maxPart: number): RangePart[] {
  const end = offset + length
  const parts: RangePart[] = []
  // files are in offset order: the first that ends after `offset`, by binary search
  let lo = 0
  let hi = files.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (files[mid]!.offset + files[mid]!.length <= offset) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < files.length && files[i]!.offset < end; i++) {
    const file = files[i]!
    if (file.pad || file.length === 0) continue
    const from = Math.max(offset, file.offset)
    const to = Math.min(end, file.offset + file.length)
    for (let at = from; at < to; at += maxPart) {
      const n = Math.min(maxPart, to - at)
      parts.push({ url: file.url, start: at - file.offset, length: n, at: at - offset })
    }
  }
  return parts
}
