import { describe, it, expect } from 'vitest'
import { sanitizeFilePaths, sanitizePathComponent, MAX_COMPONENT_BYTES } from '../../src/core/torrent-parser/sanitize'

const utf8Length = (s: string): number => new TextEncoder().encode(s).length

/** expectSafe's rules as a predicate, for checking many components with one expect. */
function isSafe(c: string): boolean {
  return !['', '.', '..'].includes(c) && !/[/\\\u0000-\u001f<>:"|?*]/.test(c) && !/[. ]$/.test(c) && utf8Length(c) <= MAX_COMPONENT_BYTES
}

function expectSafe(component: string): void {
  expect(component).not.toBe('')
  expect(component).not.toBe('.')
  expect(component).not.toBe('..')
  expect(component).not.toMatch(/[/\\\u0000-\u001f<>:"|?*]/)
  expect(component).not.toMatch(/[. ]$/)
  expect(utf8Length(component)).toBeLessThanOrEqual(MAX_COMPONENT_BYTES)
}

describe('sanitizePathComponent', () => {
  const cases: [string, string][] = [
    ['', '_'],
    ['.', '_'],
    ['..', '_'],
    ['...', '_'],
    ['   ', '_'],
    ['normal.txt', 'normal.txt'],
    ['a/b', 'a_b'],
    ['/etc/passwd', '_etc_passwd'],
    ['..\\..\\windows', '.._.._windows'],
    ['nul\u0000byte', 'nul_byte'],
    ['tab\there', 'tab_here'],
    ['a<b>c:d"e|f?g*h', 'a_b_c_d_e_f_g_h'],
    ['trailing... ', 'trailing'],
    ['  leading space', 'leading space'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['Lpt9.tar.gz', '_Lpt9.tar.gz'],
    ['com1 .txt', '_com1 .txt'],
    ['AUX', '_AUX'],
    ['console', 'console'],
    ['COM10', 'COM10'],
    ['evil\u202Etxt.exe', 'evil_txt.exe'],
    ['Ünïcødé 日本.txt', 'Ünïcødé 日本.txt'],
    ['.hidden', '.hidden'],
  ]
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(want)}`, () => {
      const got = sanitizePathComponent(raw)
      expect(got).toBe(want)
      expectSafe(got)
    })
  }

  it('normalises to NFC', () => {
    const decomposed = 'Cafe\u0301.txt'
    expect(sanitizePathComponent(decomposed)).toBe('Caf\u00e9.txt')
  })

  it('clips long names to 255 UTF-8 bytes, keeping the extension', () => {
    const got = sanitizePathComponent('a'.repeat(300) + '.mkv')
    expect(utf8Length(got)).toBe(255)
    expect(got.endsWith('.mkv')).toBe(true)
    const wide = sanitizePathComponent('日'.repeat(200) + '.txt')
    expect(utf8Length(wide)).toBeLessThanOrEqual(255)
    expect(wide).toMatch(/^日+\.txt$/)
  })

  it('never splits a surrogate pair when clipping', () => {
    const got = sanitizePathComponent('😀'.repeat(100))
    expect(utf8Length(got)).toBeLessThanOrEqual(255)
    expect(got).toBe('😀'.repeat(63))
  })

  it('counts a lone surrogate as the 3 bytes of U+FFFD it is written as', () => {
    const got = sanitizePathComponent('\ud800'.repeat(100))
    expect(got).toBe('\ud800'.repeat(85))
    expect(utf8Length(got)).toBe(255)
  })

  it('treats a very long tail after a dot as part of the name', () => {
    const got = sanitizePathComponent('x.' + 'y'.repeat(400))
    expect(utf8Length(got)).toBe(255)
    expect(got.startsWith('x.yyy')).toBe(true)
  })
})

// Issue 13: a regex that trimmed trailing dots and spaces backtracked over every run of them,
// quadratic in the run's length: a 195 KiB name of spaces took 52 s in Node 20. Each case must
// finish well inside the test's timeout (a linear pass takes milliseconds); tests assert no time.
describe('sanitizePathComponent on pathological names (issue 13)', () => {
  const KIB_200 = 200 * 1024
  const names: [string, string][] = [
    ['spaces then a letter', ' '.repeat(KIB_200) + 'x'],
    ['dots then a letter', '.'.repeat(KIB_200) + 'x'],
    ['dots and spaces then a letter', '. '.repeat(KIB_200 / 2) + 'x'],
    ['a letter, spaces, a letter', 'a' + ' '.repeat(KIB_200) + 'b'],
    ['a reserved name, then whitespace', 'con' + '\t '.repeat(KIB_200 / 2) + 'x'],
    ['spaces only', ' '.repeat(KIB_200)],
    ['dots only', '.'.repeat(KIB_200)],
  ]
  for (const [label, name] of names) {
    it(`${label}, 200 KiB`, { timeout: 3000 }, () => {
      const got = sanitizePathComponent(name)
      expectSafe(got)
    })
  }

  it('keeps what the trimming rules keep for such names', () => {
    expect(sanitizePathComponent('.'.repeat(KIB_200) + 'x')).toBe('_.x') // the stem is all dots, trimmed away
    expect(sanitizePathComponent('.'.repeat(KIB_200) + 'x')).toBe('_.x') // the stem is all dots, trimmed away
    expect(sanitizePathComponent('name' + '. '.repeat(KIB_200 / 2))).toBe('name')
    expect(sanitizePathComponent(' '.repeat(KIB_200))).toBe('_')
  })

  it('sanitises 100,000 files of 100-deep paths of such names', { timeout: 20_000 }, () => {
    const deep = Array.from({ length: 100 }, (_, i) => `${' '.repeat(20)}d${i}${'. '.repeat(20)}`)
    const paths = Array.from({ length: 100_000 }, (_, i) => [...deep.slice(0, 99), `${'.'.repeat(50)}f${i}`])
    const got = sanitizeFilePaths(paths)
    expect(got[0]).toEqual([...Array.from({ length: 99 }, (_, i) => `d${i}`), `${'.'.repeat(50)}f0`])
    expect(new Set(got.map((p) => p.join('/'))).size).toBe(100_000)
  })
})

describe('sanitizeFilePaths', () => {
  it('keeps ordinary paths unchanged', () => {
    expect(sanitizeFilePaths([['dir', 'a.txt'], ['dir', 'b.txt'], ['c.txt']])).toEqual([
      ['dir', 'a.txt'],
      ['dir', 'b.txt'],
      ['c.txt'],
    ])
  })

  it('drops empty and "." components and neutralises ".."', () => {
    expect(sanitizeFilePaths([['', 'a', '.', 'b.txt']])).toEqual([['a', 'b.txt']])
    expect(sanitizeFilePaths([['..', '..', 'etc', 'passwd']])).toEqual([['_', '_', 'etc', 'passwd']])
    expect(sanitizeFilePaths([['', '', '']])).toEqual([['_']])
    expect(sanitizeFilePaths([[]])).toEqual([['_']])
  })

  it('numbers duplicate paths case-insensitively, before the extension', () => {
    expect(sanitizeFilePaths([['a.txt'], ['A.TXT'], ['a.txt'], ['b']])).toEqual([
      ['a.txt'],
      ['A (1).TXT'],
      ['a (2).txt'],
      ['b'],
    ])
  })

  it('does not steal a name a later file already uses', () => {
    expect(sanitizeFilePaths([['a.txt'], ['a.txt'], ['a (1).txt']])).toEqual([
      ['a.txt'],
      ['a (2).txt'],
      ['a (1).txt'],
    ])
  })

  it('renames a file that collides with a directory, in either order', () => {
    expect(sanitizeFilePaths([['x'], ['x', 'y']])).toEqual([['x (1)'], ['x', 'y']])
    expect(sanitizeFilePaths([['x', 'y'], ['X']])).toEqual([['x', 'y'], ['X (1)']])
  })

  it('makes paths that differ only by sanitised characters distinct', () => {
    const got = sanitizeFilePaths([['a:b'], ['a?b'], ['a_b']])
    expect(new Set(got.map((p) => p.join('/').toLowerCase())).size).toBe(3)
    expect(got).toEqual([['a_b'], ['a_b (1)'], ['a_b (2)']])
  })

  it('stays linear for 100,000 identical paths', { timeout: 5000 }, () => {
    const paths = Array.from({ length: 100_000 }, () => ['same', 'name.bin'])
    const got = sanitizeFilePaths(paths)
    expect(new Set(got.map((p) => p.join('/'))).size).toBe(100_000)
    expect(got[99_999]).toEqual(['same', 'name (99999).bin'])
  })

  // Issue 13: numbering shortens long stems, so distinct long names share numbered forms; with a
  // counter per name each re-tried every number the others took (88 s in Node 20 for this)
  it('numbers 300 long names, each 300 times, whose numbered forms coincide', { timeout: 10_000 }, () => {
    const paths: string[][] = []
    for (let j = 0; j < 300; j++) for (let d = 0; d < 300; d++) paths.push(['a'.repeat(250) + String(j).padStart(5, '0')])
    const got = sanitizeFilePaths(paths)
    // one expect, not 90,000: vitest's expect costs tens of microseconds a call
    expect(got.filter(([c]) => !isSafe(c as string))).toEqual([])
    expect(new Set(got.map(([c]) => (c as string).toLowerCase())).size).toBe(90_000)
    // " (1)" leaves room for 251 bytes of the stem, " (300)" for 249
    expect(got[1]).toEqual(['a'.repeat(250) + '0 (1)'])
    expect(got[300]).toEqual(['a'.repeat(250) + '00001']) // the second name's first file keeps its name
    expect(got[301]).toEqual(['a'.repeat(249) + ' (300)'])
  })

  it('produces only safe, unique components for hostile input', () => {
    const hostile = [
      ['..', '..', '..', 'etc', 'passwd'],
      ['/abs', 'path'],
      ['C:\\Windows', 'system32'],
      ['CON'],
      ['con'],
      ['a\u0000b'],
      ['', ''],
      ['.'],
      ['x'.repeat(1000)],
    ]
    const got = sanitizeFilePaths(hostile)
    for (const path of got) for (const c of path) expectSafe(c)
    expect(new Set(got.map((p) => p.join('/').toLowerCase())).size).toBe(hostile.length)
  })
})
