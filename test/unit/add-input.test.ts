import { describe, it, expect } from 'vitest'
import { parseAddInput } from '../../src/core/torrent-parser/add-input'
import { AppError } from '../../src/protocol/errors'

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'

function inputError(text: string): AppError {
  try {
    parseAddInput(text)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error(`expected ${text} to fail`)
}

describe('parseAddInput', () => {
  it('parses magnet links', () => {
    const got = parseAddInput(`  magnet:?xt=urn:btih:${HEX}&dn=x\n`)
    expect(got).toEqual({ kind: 'magnet', magnet: { infoHash: HEX, name: 'x', trackers: [], webSeeds: [], peers: [] } })
  })

  it('turns a bare info hash into a magnet', () => {
    const want = { kind: 'magnet', magnet: { infoHash: HEX, trackers: [], webSeeds: [], peers: [] } }
    expect(parseAddInput(HEX.toUpperCase())).toEqual(want)
    expect(parseAddInput(' YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK ')).toEqual(want)
  })

  it('accepts http and https torrent URLs', () => {
    expect(parseAddInput('https://example.com/a.torrent')).toEqual({ kind: 'url', url: 'https://example.com/a.torrent' })
    expect(parseAddInput(' HTTP://Example.com/x y.torrent ')).toEqual({ kind: 'url', url: 'http://example.com/x%20y.torrent' })
  })

  it('passes magnet errors through', () => {
    expect(inputError('magnet:?dn=nohash').code).toBe('BAD_MAGNET')
  })

  it('explains what to paste for anything else', () => {
    for (const text of ['', '   ', 'hello', 'ftp://example.com/a.torrent', 'http://', 'javascript:alert(1)', HEX.slice(2), 'file:///etc/passwd']) {
      const err = inputError(text)
      expect(err.code).toBe('BAD_INPUT')
      expect(err.message).toBe('Paste a magnet link (magnet:?xt=…), a 40-character info hash, or the http(s) address of a .torrent file.')
    }
  })
})
