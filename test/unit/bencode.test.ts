import { describe, it, expect } from 'vitest'
import { bdecode, bdecodeWithInfoSpan, bencode, type BValue } from '../../src/core/torrent-parser/bencode'
import { AppError } from '../../src/protocol/errors'

const enc = new TextEncoder()
const dec = new TextDecoder()
const b = (s: string): Uint8Array => enc.encode(s)

function decodeError(input: string | Uint8Array, opts?: { maxDepth?: number }): AppError {
  try {
    bdecode(typeof input === 'string' ? b(input) : input, opts)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('BAD_BENCODE')
    return err as AppError
  }
  throw new Error(`expected ${String(input)} to fail`)
}

describe('bdecode', () => {
  it('decodes integers', () => {
    expect(bdecode(b('i0e'))).toBe(0)
    expect(bdecode(b('i42e'))).toBe(42)
    expect(bdecode(b('i-42e'))).toBe(-42)
    expect(bdecode(b(`i${Number.MAX_SAFE_INTEGER}e`))).toBe(Number.MAX_SAFE_INTEGER)
    expect(bdecode(b(`i-${Number.MAX_SAFE_INTEGER}e`))).toBe(-Number.MAX_SAFE_INTEGER)
  })

  it('decodes strings as byte views', () => {
    const v = bdecode(b('5:hello'))
    expect(v).toBeInstanceOf(Uint8Array)
    expect(dec.decode(v as Uint8Array)).toBe('hello')
    expect((bdecode(b('0:')) as Uint8Array).length).toBe(0)
    const bin = bdecode(new Uint8Array([0x33, 0x3a, 0x00, 0xff, 0x80])) as Uint8Array
    expect([...bin]).toEqual([0x00, 0xff, 0x80])
  })

  it('decodes lists and dicts', () => {
    const v = bdecode(b('d3:bar4:spam3:fooi42e4:listli1ei2eleee')) as Map<string, BValue>
    expect(v).toBeInstanceOf(Map)
    expect(dec.decode(v.get('bar') as Uint8Array)).toBe('spam')
    expect(v.get('foo')).toBe(42)
    expect(v.get('list')).toEqual([1, 2, []])
    expect(bdecode(b('de'))).toEqual(new Map())
    expect(bdecode(b('le'))).toEqual([])
  })

  it('accepts unsorted dictionary keys', () => {
    const v = bdecode(b('d1:bi1e1:ai2ee')) as Map<string, BValue>
    expect(v.get('a')).toBe(2)
    expect(v.get('b')).toBe(1)
  })

  const malformed: [string, string | Uint8Array, RegExp][] = [
    ['empty input', '', /empty/],
    ['truncated int', 'i42', /ends/],
    ['truncated string', '5:hel', /runs past the end/],
    ['truncated list', 'li1e', /ends/],
    ['truncated dict', 'd1:ai1e', /ends/],
    ['truncated dict after key', 'd1:a', /ends/],
    ['trailing bytes', 'i1ei2e', /unexpected bytes follow/],
    ['trailing garbage after dict', 'dex', /unexpected bytes follow/],
    ['leading zero int', 'i03e', /leading zero/],
    ['leading zero negative int', 'i-03e', /leading zero/],
    ['minus zero', 'i-0e', /-0/],
    ['empty int', 'ie', /no digits/],
    ['lone minus', 'i-e', /no digits/],
    ['non-digit in int', 'i1x2e', /unexpected character "x"/],
    ['plus sign', 'i+1e', /unexpected character "\+"/],
    ['float', 'i1.5e', /unexpected character "\."/],
    ['leading zero length', '03:abc', /leading zero/],
    ['non-digit in length', '1a:x', /unexpected character/],
    ['negative length', '-1:x', /unexpected character "-"/],
    ['length past end', '10:abc', /10 bytes runs past the end/],
    ['huge length', '99999999999999999999:x', /too large/],
    ['int beyond safe range', `i${Number.MAX_SAFE_INTEGER + 1}e`, /too large/],
    ['huge int', `i${'9'.repeat(400)}e`, /too large/],
    ['unknown type', 'x', /unexpected character "x"/],
    ['binary type byte', new Uint8Array([0xff]), /0xff/],
    ['non-string dict key', 'di1ei2ee', /key is not a string/],
    ['duplicate key', 'd1:ai1e1:ai2ee', /"a" appears twice/],
    ['missing dict value', 'd1:ae', /unexpected character "e"/],
  ]
  for (const [label, input, message] of malformed) {
    it(`rejects ${label}`, () => {
      const err = decodeError(input)
      expect(err.message).toMatch(message)
      expect(err.message).toMatch(/at byte \d+/)
    })
  }

  it('reports the byte offset of the problem', () => {
    expect(decodeError('li1ei03ee').message).toMatch(/at byte 5/)
    expect(decodeError('d1:ai1e1:ai2ee').message).toMatch(/at byte 7/)
  })

  it('limits nesting depth', () => {
    const deep = (n: number): string => 'l'.repeat(n) + 'e'.repeat(n)
    const nested = (n: number): unknown[] => n === 1 ? [] : [nested(n - 1)]
    expect(bdecode(b(deep(64)))).toEqual(nested(64))
    expect(decodeError(deep(65)).message).toMatch(/nested more than 64 deep/)
    expect(decodeError(deep(100_000)).message).toMatch(/nested/)
    expect(decodeError(deep(5), { maxDepth: 4 }).message).toMatch(/more than 4 deep/)
    expect(bdecode(b(deep(4)), { maxDepth: 4 })).toEqual(nested(4))
  })
})

describe('bdecodeWithInfoSpan', () => {
  it('returns the exact bytes of the top-level info value', () => {
    const bytes = b('d8:announce3:url4:infod4:name1:x6:lengthi5ee3:zzzi1ee')
    const { infoSpan } = bdecodeWithInfoSpan(bytes)
    expect(infoSpan).toEqual([22, 44])
    expect(dec.decode(bytes.subarray(22, 44))).toBe('d4:name1:x6:lengthi5ee')
  })

  it('ignores nested info keys and reports none when absent', () => {
    expect(bdecodeWithInfoSpan(b('d1:ad4:infoi1eee')).infoSpan).toBeUndefined()
    expect(bdecodeWithInfoSpan(b('l4:infoe')).infoSpan).toBeUndefined()
  })
})

describe('bencode', () => {
  it('encodes every type', () => {
    expect(dec.decode(bencode(42))).toBe('i42e')
    expect(dec.decode(bencode(-7))).toBe('i-7e')
    expect(dec.decode(bencode('spam'))).toBe('4:spam')
    expect(dec.decode(bencode('日本'))).toBe('6:日本')
    expect(dec.decode(bencode(true))).toBe('i1e')
    expect(dec.decode(bencode([1, 'a', []]))).toBe('li1e1:alee')
    expect(dec.decode(bencode({}))).toBe('de')
  })

  it('sorts keys by raw bytes and skips undefined', () => {
    expect(dec.decode(bencode({ b: 1, a: 2, B: 3, skip: undefined }))).toBe('d1:Bi3e1:ai2e1:bi1ee')
    expect(dec.decode(bencode(new Map<string, BValue>([['z', 1], ['a', 2]])))).toBe('d1:ai2e1:zi1ee')
  })

  it('rejects values bencode cannot express', () => {
    expect(() => bencode(1.5)).toThrow(AppError)
    expect(() => bencode(Number.NaN)).toThrow(AppError)
    expect(() => bencode(null as unknown as number)).toThrow(AppError)
  })

  it('round-trips decoded values', () => {
    const samples = [
      'i0e',
      'le',
      'de',
      'd4:infod6:lengthi12345e4:name8:file.bin12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
      'll1:ali1eeei-5ee',
      'd1:ad1:bd1:cleeee',
    ]
    for (const s of samples) expect(dec.decode(bencode(bdecode(b(s))))).toBe(s)
  })

  it('round-trips binary strings byte for byte', () => {
    const bytes = new Uint8Array(256).map((_, i) => i)
    expect([...(bdecode(bencode([bytes])) as Uint8Array[])[0] as Uint8Array]).toEqual([...bytes])
  })
})
