/**
 * What goes into a torrent the user creates, before any hashing: which of the picked files (junk
 * left out), in which order (so the same folder always gives the same info-hash), under which
 * names (safe on every OS), and the suggested torrent name.
 */
import { AppError } from '../../protocol/errors'
import { sanitizeFilePaths, sanitizePathComponent } from '../torrent-parser/sanitize'

const utf8 = new TextEncoder()

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/**
 * Puts files in torrent order: component by component, by UTF-8 bytes (as libtorrent and
 * create-torrent reading a folder from disk do), so the same folder always gives the same
 * info-hash, whatever order the browser listed it in.
 */
export function sortFileEntries<T extends { path: string[] }>(files: readonly T[]): T[] {
  const keys = new Map<T, Uint8Array[]>(files.map((f) => [f, f.path.map((c) => utf8.encode(c))]))
  return [...files].sort((a, b) => {
    const ka = keys.get(a) as Uint8Array[]
    const kb = keys.get(b) as Uint8Array[]
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = compareBytes(ka[i] as Uint8Array, kb[i] as Uint8Array)
      if (c !== 0) return c
    }
    return ka.length - kb.length
  })
}

/**
 * The paths as they go into the torrent: each component made safe on every OS (see sanitize.ts)
 * and duplicates numbered, so our own parser reads back exactly the names we wrote.
 */
export function cleanFilePaths(paths: string[][]): string[][] {
  return sanitizeFilePaths(paths)
}

/** The torrent's name as it goes into the torrent; blank names are refused. */
export function cleanTorrentName(name: string): string {
  if (name.trim() === '') throw new AppError('BAD_INPUT', 'Give the torrent a name.')
  return sanitizePathComponent(name)
}

/** Files that operating systems leave in folders; never worth sharing. */
const JUNK = /^(\.ds_store|thumbs\.db|desktop\.ini|\._.*)$/i

export interface FilePlan<T> {
  /** In torrent order, with cleaned paths below the torrent's folder. */
  files: (T & { path: string[] })[]
  /** One file shared as itself (`info.length`), not inside a folder. */
  singleFile: boolean
  /** The folder's name, the single file's name, or the first file's name without its extension. */
  suggestedName: string
}

/**
 * Turns what the user picked into the torrent's file list. `path` is the file's path as picked:
 * `[name]` for loose files, `[folder, ..., name]` for a folder (webkitRelativePath or a walk of a
 * picked directory). A folder's own name becomes the suggested torrent name and is dropped from
 * the paths; junk files (.DS_Store, Thumbs.db...) are left out.
 */
export function planFiles<T extends { path: string[] }>(picked: readonly T[]): FilePlan<T> {
  const kept = picked.filter((f) => f.path.length > 0 && !JUNK.test(f.path[f.path.length - 1] as string))
  if (kept.length === 0) throw new AppError('BAD_INPUT', 'Pick at least one file to share.')
  const root = kept[0]?.path[0] as string
  const inFolder = kept.every((f) => f.path.length >= 2 && f.path[0] === root)
  if (!inFolder && kept.length === 1) {
    const only = kept[0] as T
    const name = cleanTorrentName(only.path[only.path.length - 1] as string)
    return { files: [{ ...only, path: [name] }], singleFile: true, suggestedName: name }
  }
  const relative = kept.map((f) => ({ ...f, path: inFolder ? f.path.slice(1) : f.path.slice(-1) }))
  const ordered = sortFileEntries(relative)
  const clean = cleanFilePaths(ordered.map((f) => f.path))
  // sorted again by the names that go into the torrent: a v2 file tree is in that order
  const files = sortFileEntries(ordered.map((f, i) => ({ ...f, path: clean[i] as string[] })))
  const first = (files[0] as { path: string[] }).path
  const firstName = first[first.length - 1] as string
  const suggestedName = inFolder ? root : firstName.replace(/(?<=.)\.[^.]*$/u, '')
  return { files, singleFile: false, suggestedName: cleanTorrentName(suggestedName) }
}

/** Torrent order of two paths: component by component, by UTF-8 bytes. */
export function compareFilePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareBytes(utf8.encode(a[i] as string), utf8.encode(b[i] as string))
    if (c !== 0) return c
  }
  return a.length - b.length
}
