import { describe, expect, it } from 'vitest'
import { GreetingWatch, isMessageHead } from '../../src/core/peer-connection/greeting-watch'
import { HANDSHAKE_PSTR } from '../../src/protocol/bridge-frames'

const H = 'ab'.repeat(20)

function handshake(infoHashHex: string): Uint8Array {
  const b = new Uint8Array(68)
  b[0] = HANDSHAKE_PSTR.length
  b.set(new TextEncoder().encode(HANDSHAKE_PSTR), 1)
  b.set(Uint8Array.from(infoHashHex.match(/../g)!.map((x) => parseInt(x, 16))), 28)
  b.fill(7, 48) // peer id
  return b
}

const KEEP_ALIVE = Uint8Array.of(0, 0, 0, 0)
const HAVE_NONE = Uint8Array.of(0, 0, 0, 1, 15)
const bitfield = (bytes: number) => Uint8Array.of(0, 0, (bytes + 1) >> 8, (bytes + 1) & 0xff, 5, ...new Uint8Array(bytes).fill(0xff))

/** Feeds `stream` to a fresh watch one byte at a time, then in one piece: the same state both ways. */
function feedBothWays(stream: Uint8Array): string {
  const bytewise = new GreetingWatch(H)
  for (const byte of stream) bytewise.feed(Uint8Array.of(byte))
  const whole = new GreetingWatch(H).feed(stream)
  expect(bytewise.state).toBe(whole)
  return whole
}

describe('watching for the peer\'s greeting: its handshake, then a real message', () => {
  it('works on the first message after the handshake, however the bytes are split', () => {
    expect(feedBothWays(Uint8Array.of(...handshake(H), ...HAVE_NONE))).toBe('worked')
    expect(feedBothWays(Uint8Array.of(...handshake(H), ...bitfield(300), 0, 0))).toBe('worked')
  })

  it('an echoed handshake and silence is not a dial that worked (regression: a handshake-echoing tarpit was dialed forever)', () => {
    const w = new GreetingWatch(H)
    expect(w.feed(handshake(H))).toBe('message')
    expect(w.feed(new Uint8Array(0))).toBe('message')
  })

  it('keep-alives alone are not a message: a tarpit may send them forever', () => {
    const keepAlives = Array.from({ length: 50 }, () => [...KEEP_ALIVE]).flat()
    expect(feedBothWays(Uint8Array.of(...handshake(H), ...keepAlives))).toBe('message')
    expect(feedBothWays(Uint8Array.of(...handshake(H), ...keepAlives, ...HAVE_NONE))).toBe('worked')
  })

  it('waits for the whole first message: a bitfield cut short is not yet one', () => {
    expect(feedBothWays(Uint8Array.of(...handshake(H), ...bitfield(300).subarray(0, 200)))).toBe('message')
  })

  it('garbage after the handshake is wrong', () => {
    const http = new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n')
    expect(feedBothWays(Uint8Array.of(...handshake(H), ...http))).toBe('wrong')
    expect(feedBothWays(Uint8Array.of(...handshake(H), 0, 0, 0, 1, 99))).toBe('wrong') // an unknown id
    expect(feedBothWays(Uint8Array.of(...handshake(H), 0, 0, 0, 9, 4))).toBe('wrong') // a have of 9 bytes
  })

  it('another torrent\'s handshake, or garbage in its place, is wrong', () => {
    expect(new GreetingWatch(H).feed(handshake('cd'.repeat(20)))).toBe('wrong')
    expect(new GreetingWatch(H).feed(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n'.repeat(3)))).toBe('wrong')
  })

  it('stays decided once decided', () => {
    const w = new GreetingWatch(H)
    w.feed(new Uint8Array(68))
    expect(w.feed(Uint8Array.of(...handshake(H), ...HAVE_NONE))).toBe('wrong')
    const ok = new GreetingWatch(H)
    ok.feed(Uint8Array.of(...handshake(H), ...HAVE_NONE))
    expect(ok.feed(new TextEncoder().encode('garbage'))).toBe('worked')
  })
})

describe('isMessageHead', () => {
  it('takes each message BitTorrent peers send first at its length', () => {
    for (const [length, id] of [[1, 1], [5, 4], [2, 5], [1, 14], [1, 15], [40, 20], [13, 6], [3, 9], [49, 21]] as const) {
      expect(isMessageHead(length, id), `${id} of ${length}`).toBe(true)
    }
  })
  it('refuses unknown ids, wrong lengths and absurd lengths', () => {
    for (const [length, id] of [[1, 10], [1, 20], [4, 4], [1, 5], [0x48545450, 5], [2, 0]] as const) {
      expect(isMessageHead(length, id), `${id} of ${length}`).toBe(false)
    }
  })
})
