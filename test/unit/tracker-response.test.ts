// Tracker answers, parsed once with limits (core/tracker-communication/tracker-response.ts). The real-socket corpus
// is test/bridge/hostile-trackers.test.ts; these are the parser's own cases.
import { describe, expect, it } from 'vitest'
import { bencode } from '../../src/core/torrent-parser/bencode'
import { MAX_TRACKER_PEERS, MAX_TRACKER_TEXT, parseHttpAnnounce, parseUdpAnswer, trackerText } from '../../src/core/tracker-communication/tracker-response'

const te = new TextEncoder()
const compact = (...peers: [number, number, number, number, number][]) => Uint8Array.from(peers.flatMap(([a, b, c, d, port]) => [a, b, c, d, port >> 8, port & 0xff]))

describe('parseHttpAnnounce', () => {
  it('reads a compact answer with its counts and intervals', () => {
    const body = bencode({ interval: 1800, 'min interval': 900, complete: 5, incomplete: 7, peers: compact([1, 2, 3, 4, 6881], [5, 6, 7, 8, 51413]) })
    expect(parseHttpAnnounce(body)).toEqual({
      type: 'announce', interval: 1800, minInterval: 900, complete: 5, incomplete: 7,
      peers: [{ host: '1.2.3.4', port: 6881 }, { host: '5.6.7.8', port: 51413 }], dropped: 0, warning: null, trackerId: null,
    })
  })
  it('reads dictionary peers, canonical, dropping what is not an address and a port', () => {
    const body = bencode({
      interval: 60,
      peers: [
        { ip: '1.2.3.4', port: 6881 }, { ip: 16909060, port: 6881 }, { ip: 'evil.example', port: 1 }, { ip: '1.2.3.5', port: 0 },
        { ip: '2001:DB8::1', port: 1 }, { port: 1 }, 'x', 5,
      ],
    })
    const got = parseHttpAnnounce(body)
    expect(got).toMatchObject({ type: 'announce', peers: [{ host: '1.2.3.4', port: 6881 }, { host: '2001:db8::1', port: 1 }], dropped: 6 })
  })
  it('keeps at most MAX_TRACKER_PEERS, with the rest counted', () => {
    const many = new Uint8Array(6 * 5000)
    for (let i = 0; i < 5000; i++) many.set([1, (i >> 8) & 0xff, i & 0xff, 1, 0x1a, 0xe1], 6 * i)
    const got = parseHttpAnnounce(bencode({ peers: many, peers6: new Uint8Array(18 * 10).fill(0x2a) }))
    expect(got.type === 'announce' && got.peers.length).toBe(MAX_TRACKER_PEERS)
    expect(got.type === 'announce' && got.dropped).toBe(5000 - MAX_TRACKER_PEERS + 10)
  })
  it('gives intervals only when they are whole seconds from 0 to a year', () => {
    for (const interval of [-1, 1.5, 2 ** 53, 400 * 86_400]) {
      expect(parseHttpAnnounce(bencode({ interval: Number.isSafeInteger(interval) ? interval : 0, peers: '' })).type).toBe('announce')
    }
    expect(parseHttpAnnounce(te.encode('d8:intervali-1ee'))).toMatchObject({ interval: null })
    expect(parseHttpAnnounce(te.encode('d8:intervali999999999999ee'))).toMatchObject({ interval: null })
    expect(parseHttpAnnounce(te.encode('d8:interval4:soone'))).toMatchObject({ interval: null })
  })
  it('a failure reason of any type is a failure with readable text', () => {
    expect(parseHttpAnnounce(bencode({ 'failure reason': 'unregistered torrent' }))).toEqual({ type: 'failure', reason: 'it says: unregistered torrent' })
    expect(parseHttpAnnounce(bencode({ 'failure reason': 3 }))).toEqual({ type: 'failure', reason: 'it says: failed, with no reason given' })
    const long = parseHttpAnnounce(bencode({ 'failure reason': 'a\u0000b\u001bc'.repeat(1000) }))
    expect(long.type === 'failure' && long.reason.length).toBeLessThanOrEqual('it says: '.length + MAX_TRACKER_TEXT)
    expect(long.type === 'failure' && /[\u0000-\u001f]/.test(long.reason)).toBe(false)
  })
  it.each([
    ['', /it was empty/],
    ['<html>busy</html>', /looks like a web page/],
    ['li1ei2ee', /not a dictionary/],
    ['d5:peers' + 'l'.repeat(50_000) + 'e'.repeat(50_000) + 'e', /not bencode/],
    ['d8:intervali1800e', /not bencode/],
  ])('refuses %#', (text, reason) => {
    const got = parseHttpAnnounce(te.encode(text))
    expect(got.type).toBe('failure')
    expect(got.type === 'failure' && got.reason).toMatch(reason)
  })
  it('regression: a megabyte of empty dictionaries is refused after MAX_TRACKER_VALUES values, not built (it cost 178 ms and 103 MiB)', () => {
    const got = parseHttpAnnounce(te.encode('d5:peersl' + 'de'.repeat(512 * 1024) + 'ee'))
    expect(got).toEqual({ type: 'failure', reason: expect.stringMatching(/not bencode/) })
  })
  it('a tracker id is echoed only when it is short', () => {
    expect(parseHttpAnnounce(bencode({ 'tracker id': 'abc' }))).toMatchObject({ trackerId: te.encode('abc') })
    expect(parseHttpAnnounce(bencode({ 'tracker id': 'x'.repeat(65) }))).toMatchObject({ trackerId: null })
  })
})

describe('parseUdpAnswer', () => {
  const msg = (...words: number[]) => {
    const b = new Uint8Array(words.length * 4)
    const v = new DataView(b.buffer)
    words.forEach((w, i) => v.setUint32(i * 4, w))
    return b
  }
  const withPeers = (head: Uint8Array, peers: Uint8Array) => Uint8Array.from([...head, ...peers])
  it('a connect answer for our transaction', () => {
    expect(parseUdpAnswer(msg(0, 42, 0xdead, 0xbeef), 42, 'connect', 6)).toEqual({ type: 'connect', connectionId: msg(0xdead, 0xbeef) })
  })
  it('ignores other transactions, short datagrams and other actions (BEP 15: not a failure)', () => {
    expect(parseUdpAnswer(msg(0, 41, 1, 1), 42, 'connect', 6)).toBeNull()
    expect(parseUdpAnswer(msg(0, 42, 1), 42, 'connect', 6)).toBeNull()
    expect(parseUdpAnswer(msg(1, 42, 1, 1, 1), 42, 'connect', 6)).toBeNull()
    expect(parseUdpAnswer(msg(0, 42, 1, 1), 42, 'announce', 6)).toBeNull()
    expect(parseUdpAnswer(new Uint8Array(3), 42, 'announce', 6)).toBeNull()
  })
  it('an announce answer: interval, leechers, seeders, peers (a trailing partial one dropped)', () => {
    const got = parseUdpAnswer(withPeers(msg(1, 7, 1800, 3, 9), Uint8Array.from([...compact([1, 2, 3, 4, 6881]), 9, 9])), 7, 'announce', 6)
    expect(got).toMatchObject({ type: 'announce', interval: 1800, incomplete: 3, complete: 9, peers: [{ host: '1.2.3.4', port: 6881 }], dropped: 1 })
  })
  it('IPv6 trackers answer with 18-byte peers', () => {
    const six = new Uint8Array(18)
    six.set([0x2a, 0x00], 0)
    six[15] = 1
    six.set([0x1a, 0xe1], 16)
    expect(parseUdpAnswer(withPeers(msg(1, 7, 60, 0, 0), six), 7, 'announce', 18)).toMatchObject({ peers: [{ host: '2a00::1', port: 6881 }] })
  })
  it('an error answer is a failure, its text cleaned', () => {
    expect(parseUdpAnswer(withPeers(msg(3, 7), te.encode('no\u0007such torrent')), 7, 'announce', 6)).toEqual({ type: 'failure', reason: 'it says: no such torrent' })
  })
})

describe('trackerText', () => {
  it('is empty for anything but bytes', () => {
    expect(trackerText(undefined)).toBe('')
    expect(trackerText(5)).toBe('')
  })
})
