import { describe, it, expect } from 'vitest'
import { sanitizeFilePaths, sanitizePathComponent, MAX_COMPONENT_BYTES } from '../../src/core/sanitize'

const utf8Length = (s: string): number => new TextEncoder().encode(s).length

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

  it('treats a very long tail after a dot as part of the name', () => {
    const got = sanitizePathComponent('x.' + 'y'.repeat(400))
    expect(utf8Length(got)).toBe(255)
    expect(got.startsWith('x.yyy')).toBe(true)
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

  it('stays fast for 100,000 identical paths', () => {
    const paths = Array.from({ length: 100_000 }, () => ['same', 'name.bin'])
    const start = Date.now()
    const got = sanitizeFilePaths(paths)
    expect(Date.now() - start).toBeLessThan(5000)
    expect(new Set(got.map((p) => p.join('/'))).size).toBe(100_000)
    expect(got[99_999]).toEqual(['same', 'name (99999).bin'])
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
