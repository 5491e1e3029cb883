import { describe, expect, it, vi } from 'vitest'
import { isBinaryInfoHash, MAX_TRACKER_MESSAGE_BYTES, readWebSocketTrackerMessage } from '../../src/core/peer-discovery/websocket-tracker-message'

// bittorrent-tracker's info-hashes: hex2bin, one character per byte
const binary = (hex: string) => String.fromCharCode(...Buffer.from(hex, 'hex'))
const hashA = binary('ff'.repeat(10) + '00'.repeat(10))
const hashB = binary('0123456789abcdef0123456789abcdef01234567')
// what simple-websocket hands over: the message's UTF-8 bytes (JSON.stringify of a binary string
// sends characters 128-255 as two bytes each)
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))

describe('readWebSocketTrackerMessage', () => {
  it('reads an announce answer with its info-hash as bittorrent-tracker sends and compares it', () => {
    const answer = { action: 'announce', info_hash: hashA, complete: 3, incomplete: 1, interval: 120 }
    const read = readWebSocketTrackerMessage(bytes(answer))
    expect(read).toEqual({ kind: 'announce', infoHash: hashA, message: answer })
    // from a string or an ArrayBuffer alike
    expect(readWebSocketTrackerMessage(JSON.stringify(answer))).toEqual(read)
    expect(readWebSocketTrackerMessage(bytes(answer).buffer)).toEqual(read)
  })

  it('reads a scrape answer\'s torrents: the keys of `files` that are info-hashes with an entry', () => {
    const files = { [hashA]: { complete: 1, incomplete: 2, downloaded: 3 }, [hashB]: { complete: 0, incomplete: 0, downloaded: 0 }, short: { complete: 1 }, [binary('11'.repeat(20))]: null }
    const read = readWebSocketTrackerMessage(bytes({ action: 'scrape', files }))
    expect(read.kind).toBe('scrape')
    if (read.kind !== 'scrape') return
    expect(read.infoHashes).toEqual([hashA, hashB])
    expect(read.files[hashA]).toEqual({ complete: 1, incomplete: 2, downloaded: 3 })
  })

  it('drops, with a reason, whatever no torrent could take', () => {
    const reason = (data: unknown) => {
      const read = readWebSocketTrackerMessage(data)
      return read.kind === 'dropped' ? read.reason : read.kind
    }
    expect(reason(bytes('not json {'))).toBe('not JSON')
    expect(reason(Uint8Array.of(0xff, 0xfe, 0x00))).toBe('not JSON')
    expect(reason(42)).toBe('not JSON')
    expect(reason(bytes('[1,2,3]'))).toBe('not an object')
    expect(reason(bytes('"a string"'))).toBe('not an object')
    expect(reason(bytes('null'))).toBe('not an object')
    expect(reason(bytes({ action: 'unknown', info_hash: hashA }))).toBe('unknown action')
    expect(reason(bytes({ info_hash: hashA }))).toBe('unknown action')
    expect(reason(bytes({ action: 'announce' }))).toBe('no info_hash')
    expect(reason(bytes({ action: 'announce', info_hash: 'ab'.repeat(20) }))).toBe('no info_hash') // hex, not binary
    expect(reason(bytes({ action: 'announce', info_hash: hashA.slice(1) }))).toBe('no info_hash')
    expect(reason(bytes({ action: 'announce', info_hash: ['x'] }))).toBe('no info_hash')
    expect(reason(bytes({ action: 'scrape' }))).toBe('no info_hash')
    expect(reason(bytes({ action: 'scrape', files: [] }))).toBe('no info_hash')
    expect(reason(bytes({ action: 'scrape', files: { [hashA]: 5 } }))).toBe('no info_hash') // bittorrent-tracker would Object.assign to it
  })
})

describe('isBinaryInfoHash', () => {
  it('is 20 characters of one byte each', () => {
    expect(isBinaryInfoHash(hashA)).toBe(true)
    expect(isBinaryInfoHash(hashB)).toBe(true)
    expect(isBinaryInfoHash('\u0100' + hashA.slice(1))).toBe(false)
    expect(isBinaryInfoHash(hashA + 'x')).toBe(false)
    expect(isBinaryInfoHash(undefined)).toBe(false)
  })
})

describe('MAX_TRACKER_MESSAGE_BYTES', () => {
  it('drops a larger message unread: neither decoded nor handed to JSON.parse', () => {
    const huge = JSON.stringify({ action: 'announce', info_hash: hashA, padding: 'x'.repeat(MAX_TRACKER_MESSAGE_BYTES) })
    const parse = vi.spyOn(JSON, 'parse')
    try {
      expect(readWebSocketTrackerMessage(bytes(huge))).toEqual({ kind: 'dropped', reason: 'too large' })
      expect(readWebSocketTrackerMessage(huge)).toEqual({ kind: 'dropped', reason: 'too large' })
      expect(parse).not.toHaveBeenCalled()
    } finally {
      parse.mockRestore()
    }
    // one at the limit is read
    const padding = MAX_TRACKER_MESSAGE_BYTES - bytes({ action: 'announce', info_hash: hashB, padding: '' }).byteLength
    const atLimit = bytes({ action: 'announce', info_hash: hashB, padding: 'y'.repeat(padding) })
    expect(atLimit.byteLength).toBe(MAX_TRACKER_MESSAGE_BYTES)
    expect(readWebSocketTrackerMessage(atLimit)).toMatchObject({ kind: 'announce', infoHash: hashB })
  })
})
