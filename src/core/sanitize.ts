/**
 * Turns file names from a torrent (attacker-controlled) into names that are safe on every
 * file system we may write to or save into: OPFS, and the user's Windows, macOS or Linux disk.
 *
 * Decisions:
 * - `/` and `\` inside a component are replaced by `_`, never split: a component can never
 *   add directories or climb out, so an "absolute" `/etc/passwd` component becomes `_etc_passwd`.
 * - `..` becomes `_` (kept, not dropped) so `a/../b` stays distinct from `b` and the oddity is visible.
 * - Empty and `.` components are dropped in paths: they mean "this directory" and are harmless.
 */

/** Most file systems cap a name at 255 bytes; we measure UTF-8, the strictest common encoding. */
export const MAX_COMPONENT_BYTES = 255

/** An extension longer than this is treated as part of the name when clipping. */
const MAX_EXTENSION_BYTES = 32

// C0/C1 controls, path separators, Windows-invalid characters, and bidi controls (which can
// disguise "evil\u202Etxt.exe" as "evilexe.txt")
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

// Windows refuses these as names even with an extension or trailing spaces before it
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])\s*(\..*)?$/i

const encoder = new TextEncoder()

function utf8Length(s: string): number {
  return encoder.encode(s).length
}

/** Cuts `s` to at most `maxBytes` of UTF-8 without splitting a code point. */
function clipBytes(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s
  let bytes = 0
  let out = ''
  for (const ch of s) {
    const n = utf8Length(ch)
    if (bytes + n > maxBytes) break
    bytes += n
    out += ch
  }
  return out
}

/** Splits "name.ext" into ["name", ".ext"]; a leading dot or over-long tail is not an extension. */
function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return [name, '']
  const ext = name.slice(dot)
  if (utf8Length(ext) > MAX_EXTENSION_BYTES) return [name, '']
  return [name.slice(0, dot), ext]
}

function trimEnd(s: string): string {
  // Windows silently drops trailing dots and spaces, so "a." and "a" would be the same file
  return s.replace(/[. ]+$/u, '')
}

/** Clips `stem + suffix + ext` to MAX_COMPONENT_BYTES by shortening the stem. */
function fitName(stem: string, suffix: string, ext: string): string {
  if (utf8Length(stem + suffix + ext) <= MAX_COMPONENT_BYTES) return stem + suffix + ext
  const room = MAX_COMPONENT_BYTES - utf8Length(suffix) - utf8Length(ext)
  if (room <= 0) return clipBytes(trimEnd(stem + suffix + ext), MAX_COMPONENT_BYTES) || '_'
  const clipped = trimEnd(clipBytes(stem, room))
  return (clipped === '' ? '_' : clipped) + suffix + ext
}

/** Makes one path component safe. Never returns '', '.', '..', or anything containing '/'. */
export function sanitizePathComponent(raw: string): string {
  let s = raw.normalize('NFC').replace(UNSAFE, '_')
  s = trimEnd(s).replace(/^ +/u, '')
  if (s === '') return '_' // covers '', '.', '..', '...' and all-space names
  if (RESERVED.test(s)) s = '_' + s
  const [stem, ext] = splitExtension(s)
  const out = fitName(stem, '', ext)
  return out === '' || out === '.' || out === '..' ? '_' : out
}

/** Inserts " (n)" before the extension, keeping the result within the byte limit. */
function numbered(name: string, n: number): string {
  const [stem, ext] = splitExtension(name)
  return fitName(stem, ` (${n})`, ext)
}

/** A directory in the output tree; keys are lower-cased since Windows and macOS ignore case. */
interface DirNode {
  dirs: Map<string, DirNode>
  files: Set<string>
  nextNumber: Map<string, number>
}

function newDir(): DirNode {
  return { dirs: new Map(), files: new Set(), nextNumber: new Map() }
}

/**
 * Sanitises every file path of a torrent and makes them distinct: duplicate paths (compared
 * case-insensitively) and files that collide with a directory get " (1)", " (2)"… before the
 * extension. The first occurrence keeps its name. Output order matches input order.
 * Works on a tree rather than joined path strings so hostile deep paths stay linear.
 */
export function sanitizeFilePaths(paths: string[][]): string[][] {
  const clean = paths.map((path) => {
    const parts = path
      .map((c) => c.normalize('NFC'))
      .filter((c) => c !== '' && c !== '.')
      .map(sanitizePathComponent)
    return parts.length === 0 ? ['_'] : parts
  })

  const root = newDir()
  const parents = clean.map((parts) => {
    let node = root
    for (let i = 0; i < parts.length - 1; i++) {
      const key = (parts[i] as string).toLowerCase()
      let child = node.dirs.get(key)
      if (!child) node.dirs.set(key, (child = newDir()))
      node = child
    }
    return node
  })

  // first pass: each first occurrence that does not clash with a directory keeps its name
  const clashing: number[] = []
  clean.forEach((parts, i) => {
    const dir = parents[i] as DirNode
    const key = (parts[parts.length - 1] as string).toLowerCase()
    if (dir.files.has(key) || dir.dirs.has(key)) clashing.push(i)
    else dir.files.add(key)
  })

  // second pass: number the rest, avoiding every name in use; remembering the last number
  // per name keeps 100,000 identical paths linear instead of quadratic
  for (const i of clashing) {
    const parts = clean[i] as string[]
    const dir = parents[i] as DirNode
    const base = parts[parts.length - 1] as string
    const original = base.toLowerCase()
    for (let n = dir.nextNumber.get(original) ?? 1; ; n++) {
      const name = numbered(base, n)
      const key = name.toLowerCase()
      if (!dir.files.has(key) && !dir.dirs.has(key)) {
        dir.files.add(key)
        dir.nextNumber.set(original, n + 1)
        parts[parts.length - 1] = name
        break
      }
    }
  }
  return clean
}
