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

/** UTF-8 bytes of the code point at `s[i]`: a lone surrogate counts 3, as TextEncoder writes U+FFFD. */
function codePointBytes(s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (c < 0x80) return 1
  if (c < 0x800) return 2
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1)
    if (next >= 0xdc00 && next <= 0xdfff) return 4
  }
  return 3
}

/**
 * UTF-8 length of `s`, counted without encoding: TextEncoder's allocation was most of the time
 * for 10 million path components (5.4 s of 13 s in Node 20).
 */
function utf8Length(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const n = codePointBytes(s, i)
    bytes += n
    if (n === 4) i++ // a surrogate pair is two code units
  }
  return bytes
}

/** Cuts `s` to at most `maxBytes` of UTF-8 without splitting a code point; one slice, no concatenation. */
function clipBytes(s: string, maxBytes: number): string {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const n = codePointBytes(s, i)
    if (bytes + n > maxBytes) return s.slice(0, i)
    bytes += n
    if (n === 4) i++
  }
  return s
}

/** Splits "name.ext" into ["name", ".ext"]; a leading dot or over-long tail is not an extension. */
function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return [name, '']
  const ext = name.slice(dot)
  if (utf8Length(ext) > MAX_EXTENSION_BYTES) return [name, '']
  return [name.slice(0, dot), ext]
}

/**
 * Windows silently drops trailing dots and spaces, so "a." and "a" would be the same file.
 * A loop, not `/[. ]+$/`: that regex restarts at every dot or space of a run that is not at the
 * end, quadratic in the run (a 200 KiB name of spaces then a letter: 29 s in Node 20; issue 13).
 */
function trimEnd(s: string): string {
  let end = s.length
  while (end > 0 && (s[end - 1] === '.' || s[end - 1] === ' ')) end--
  return s.slice(0, end)
}

function trimLeadingSpaces(s: string): string {
  let start = 0
  while (s[start] === ' ') start++
  return s.slice(start)
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
  s = trimLeadingSpaces(trimEnd(s))
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

/** The longest suffix `numbered` adds: " (n)" for any safe integer n. */
const LONGEST_NUMBER_SUFFIX_BYTES = ` (${Number.MAX_SAFE_INTEGER})`.length

/**
 * Names in use, keyed by their directory's number (root 0) and lower-cased name, since Windows
 * and macOS ignore case. Flat maps, not a node with three maps per directory: that took 600 MB
 * for 1,000,000 distinct folders (10,000 files 100 deep) in Node 20.
 */
class NameTable {
  private readonly dirs = new Map<string, number>()
  private readonly files = new Set<string>()

  /** The number of directory `name` in directory `parent`, made on first use. */
  dir(parent: number, name: string): number {
    const key = `${parent}/${name.toLowerCase()}`
    let id = this.dirs.get(key)
    if (id === undefined) this.dirs.set(key, (id = this.dirs.size + 1))
    return id
  }

  /** Claims `name` for a file in `dir`; false when a file or directory there already has it. */
  claim(dir: number, name: string): boolean {
    const key = `${dir}/${name.toLowerCase()}`
    if (this.files.has(key) || this.dirs.has(key)) return false
    this.files.add(key)
    return true
  }
}

/**
 * Names whose numbered forms can coincide share one counter: numbering shortens a long stem to
 * make room for " (n)", so "aaa…1" and "aaa…2" (255 bytes each) both become "aaa… (1)". With a
 * counter per name, each of m such names re-tried the numbers the others took: 90,000 files of
 * 300 names took 88 s in Node 20. The stem clipped for the longest suffix names the family.
 */
function numberFamily(name: string): string {
  const [stem, ext] = splitExtension(name)
  const room = MAX_COMPONENT_BYTES - LONGEST_NUMBER_SUFFIX_BYTES - utf8Length(ext)
  return (trimEnd(clipBytes(stem, room)) + ext).toLowerCase()
}

/**
 * Sanitises every file path of a torrent and makes them distinct: duplicate paths (compared
 * case-insensitively) and files that collide with a directory get " (1)", " (2)"… before the
 * extension. The first occurrence keeps its name. Output order matches input order.
 * Works on numbered directories rather than joined path strings so hostile deep paths stay linear.
 */
export function sanitizeFilePaths(paths: string[][]): string[][] {
  // folders repeat in every path under them: 100,000 files 100 deep are 10 million components
  // but a few hundred thousand distinct ones (13 s without this, in Node 20, 1.5 s with it)
  const sanitised = new Map<string, string>()
  const sanitiseOnce = (c: string): string => {
    let out = sanitised.get(c)
    if (out === undefined) sanitised.set(c, (out = sanitizePathComponent(c)))
    return out
  }
  const clean = paths.map((path) => {
    // '' and '.' are the same before and after NFC, so they are dropped before it
    const parts = path.filter((c) => c !== '' && c !== '.').map(sanitiseOnce)
    return parts.length === 0 ? ['_'] : parts
  })

  const table = new NameTable()
  const parents = clean.map((parts) => {
    let dir = 0
    for (let i = 0; i < parts.length - 1; i++) dir = table.dir(dir, parts[i] as string)
    return dir
  })

  // first pass: each first occurrence that does not clash with a directory keeps its name
  const clashing: number[] = []
  clean.forEach((parts, i) => {
    if (!table.claim(parents[i] as number, parts[parts.length - 1] as string)) clashing.push(i)
  })

  // second pass: number the rest, avoiding every name in use; a family's counter only grows,
  // so each number is tried once per family and 100,000 identical paths stay linear
  const nextNumber = new Map<string, number>()
  for (const i of clashing) {
    const parts = clean[i] as string[]
    const dir = parents[i] as number
    const base = parts[parts.length - 1] as string
    const family = `${dir}/${numberFamily(base)}`
    for (let n = nextNumber.get(family) ?? 1; ; n++) {
      const name = numbered(base, n)
      if (table.claim(dir, name)) {
        nextNumber.set(family, n + 1)
        parts[parts.length - 1] = name
        break
      }
    }
  }
  return clean
}
