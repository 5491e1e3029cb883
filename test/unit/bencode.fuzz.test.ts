// Property-based tests of the bencode codec (fast-check): what it reads comes from strangers
// (.torrent files, PEX and metadata messages), so every byte string either decodes or fails with
// AppError('BAD_BENCODE'), and what it writes reads back as itself.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bdecode, bdecodeWithInfoSpan, bencode, DEFAULT_MAX_DEPTH, type BDict, type BValue } from '../../src/core/torrent-parser/bencode'
import { AppError } from '../../src/protocol/errors'
import { parsesOrRefuses, runs, syntaxBytes } from '../support/property'

const enc = new TextEncoder()
const ascii = (s: string): Uint8Array => enc.encode(s)

/** A dictionary key: any code points (no lone surrogates: keys are UTF-8), often ones UTF-8 decoders treat specially. */
const key = fc.string({
  unit: fc.oneof({ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.constantFrom('\ufeff', '\u0000', '\ufffd', '𝄞') }),
  maxLength: 8,
})

/** Any decoded value: safe integers, byte strings, lists and dictionaries with text keys. */
const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ value: BValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => k })
      .map((entries): BDict => new Map(entries)),
  ),
})).value

function depthOf(v: BValue): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf))
  if (v instanceof Map) return 1 + Math.max(0, ...[...v.values()].map(depthOf))
  return 0
}

const decodes = (bytes: Uint8Array, opts?: { maxDepth?: number }): BValue | undefined => parsesOrRefuses(() => bdecode(bytes, opts), ['BAD_BENCODE'])

/** Reference reading of `i…e`: canonical decimal (no leading zero, no -0) within ±2^53-1. */
function modelInteger(digits: string): number | undefined {
  if (!/^-?(0|[1-9][0-9]*)$/.test(digits) || digits === '-0') return undefined
  const n = BigInt(digits)
  return n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(n)
}

describe('bencode properties', () => {
  it('decode(encode(x)) is x, and encoding is canonical (the same bytes again)', () => {
    fc.assert(fc.property(bvalue, (value) => {
      const bytes = bencode(value)
      const back = bdecode(bytes)
      expect(back).toEqual(value)
      expect(bencode(back)).toEqual(bytes)
    }), runs(300))
  })

  it('arbitrary bytes decode or fail with BAD_BENCODE at an offset inside the input, never anything else', () => {
    fc.assert(fc.property(fc.oneof(syntaxBytes('0123456789:idle-', { maxLength: 80 }), fc.uint8Array({ maxLength: 80 })), (bytes) => {
      try {
        const value = bdecode(bytes)
        // what decodes is re-encoded into bytes that decode to the same value
        expect(bdecode(bencode(value))).toEqual(value)
      } catch (err) {
        if (!(err instanceof AppError)) throw err
        expect(err.code).toBe('BAD_BENCODE')
        const at = Number(/at byte (\d+)\.$/.exec(err.message)?.[1])
        expect(at).toBeLessThanOrEqual(bytes.length)
      }
    }), runs(500))
  })

  it('mutated encodings (bytes changed, inserted, removed, cut) decode or fail with BAD_BENCODE', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.integer({ min: 0, max: 255 }))
    fc.assert(fc.property(bvalue, fc.array(edit, { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), (value, edits, cut) => {
      const bytes = [...bencode(value)]
      for (const [at, op, byte] of edits) {
        const i = at % (bytes.length + 1)
        if (op === 'set' && i < bytes.length) bytes[i] = byte
        else if (op === 'insert') bytes.splice(i, 0, byte)
        else bytes.splice(i, 1)
      }
      const input = Uint8Array.from(cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1)))
      decodes(input)
    }), runs(300))
  })

  it('error messages stay one short line whatever the input (a hostile key is quoted, not copied whole)', () => {
    const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', minLength: 300, maxLength: 3000 }))
    fc.assert(fc.property(key, fc.nat({ max: 3 }), (k, before) => {
      const kb = enc.encode(k)
      const entry = [...ascii(`${kb.length}:`), ...kb, ...ascii('i1e')]
      const filler = Array.from({ length: before }, (_, i) => [...ascii(`2:_${i}i0e`)]).flat()
      decodes(Uint8Array.from([...ascii('d'), ...filler, ...entry, ...entry, ...ascii('e')]))
    }), runs(100))
  })

  it('integers: exactly the canonical decimals within ±2^53-1 are read, each as its value', () => {
    const digits = fc.oneof(
      fc.stringMatching(/^-?[0-9]{1,20}$/),
      fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map(String),
      fc.stringMatching(/^-?0[0-9]{0,3}$/),
      fc.string({ unit: fc.constantFrom(...'0123456789-+ .e'), maxLength: 12 }),
    )
    fc.assert(fc.property(digits, (d) => {
      const want = modelInteger(d)
      const got = decodes(ascii(`i${d}e`))
      expect(got).toBe(want)
    }), runs(500))
  })

  it('strings: a length prefix is read only when canonical and exactly what follows', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{1,22}$/), fc.uint8Array({ maxLength: 30 }), (prefix, body) => {
      const input = new Uint8Array([...ascii(`${prefix}:`), ...body])
      const got = decodes(input)
      const canonical = /^(0|[1-9][0-9]*)$/.test(prefix) && BigInt(prefix) === BigInt(body.length)
      if (canonical) expect(got).toEqual(body)
      else expect(got).toBeUndefined()
    }), runs(300))
  })

  it('nesting: a value nested n deep is read when n <= maxDepth and refused otherwise, for any maxDepth', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), (n, maxDepth, dicts) => {
      const input = ascii(dicts ? 'd1:k'.repeat(n - 1) + 'de' + 'e'.repeat(n - 1) : 'l'.repeat(n) + 'e'.repeat(n))
      const got = decodes(input, { maxDepth })
      if (n <= maxDepth) expect(got === undefined ? -1 : depthOf(got)).toBe(n)
      else expect(got).toBeUndefined()
    }), runs(200))
  })

  it('the info span is the exact bytes of the top-level info value', () => {
    fc.assert(fc.property(bvalue, fc.dictionary(fc.string({ maxLength: 6 }), bvalue, { maxKeys: 3 }), (info, rest) => {
      const top = new Map<string, BValue>(Object.entries(rest))
      top.set('info', info)
      const bytes = bencode(top)
      const { value, infoSpan } = bdecodeWithInfoSpan(bytes)
      expect(infoSpan && bytes.subarray(...infoSpan)).toEqual(bencode(info))
      expect((value as BDict).get('info')).toEqual(info)
    }), runs(200))
  })
})

describe('bencode against hostile sizes (each linear, each refused early)', () => {
  const hostile: [string, () => Uint8Array][] = [
    ['100,000 levels of lists', () => ascii('l'.repeat(100_000) + 'e'.repeat(100_000))],
    ['100,000 levels of dictionaries', () => ascii('d1:a'.repeat(100_000) + 'e'.repeat(100_000))],
    ['a length prefix of 99999999999', () => ascii('99999999999:abc')],
    ['a length prefix of a million digits', () => ascii('9'.repeat(1_000_000) + ':')],
    ['an integer of 10,000 digits', () => ascii(`i${'9'.repeat(10_000)}e`)],
    ['an integer of a million zeros', () => ascii(`i${'0'.repeat(1_000_000)}e`)],
    ['an integer of a million minus signs', () => ascii(`i${'-'.repeat(1_000_000)}e`)],
    ['negative zero', () => ascii('i-0e')],
    ['leading zeros', () => ascii('i007e')],
    ['an unterminated list of a million items', () => ascii('l' + 'i1e'.repeat(1_000_000))],
  ]
  for (const [label, build] of hostile) {
    it(`refuses ${label} with BAD_BENCODE`, () => {
      const input = build()
      expect(decodes(input)).toBeUndefined()
    })
  }

  it('reads a 200,000-item list and a dictionary of 20,000 keys', () => {
    expect((bdecode(ascii(`l${'i1e'.repeat(200_000)}e`)) as BValue[]).length).toBe(200_000)
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}`)
    expect((bdecode(bencode(Object.fromEntries(keys.map((k) => [k, 1])))) as BDict).size).toBe(20_000)
  })

  it(`default depth limit is ${DEFAULT_MAX_DEPTH}`, () => {
    const deepest = decodes(ascii('l'.repeat(DEFAULT_MAX_DEPTH) + 'e'.repeat(DEFAULT_MAX_DEPTH)))
    expect(deepest === undefined ? -1 : depthOf(deepest)).toBe(DEFAULT_MAX_DEPTH)
    expect(decodes(ascii('l'.repeat(DEFAULT_MAX_DEPTH + 1) + 'e'.repeat(DEFAULT_MAX_DEPTH + 1)))).toBeUndefined()
  })
})

describe('bencode regressions', () => {
  it('regression: bencode decoder quoted a duplicate dictionary key whole in its message, megabytes of it, line breaks and all (found by fast-check)', () => {
    const key = 'x\n'.repeat(500_000)
    const err = (() => {
      try {
        bdecode(ascii(`d${key.length}:${key}i1e${key.length}:${key}i2ee`))
      } catch (e) {
        return e as AppError
      }
      throw new Error('expected a duplicate key to be refused')
    })()
    expect(err.code).toBe('BAD_BENCODE')
    expect(err.message).toBe(`This file is not valid bencode (the .torrent format): the dictionary key "${'x\\n'.repeat(20)}…" appears twice at byte 1000012.`)
  })

  it('regression: bencode decoder read the key "\\ufeffinfo" as "info", dropping a leading U+FEFF as a byte order mark (found by fast-check)', () => {
    const bom = [0xef, 0xbb, 0xbf]
    const bytes = Uint8Array.from([...ascii('d7:'), ...bom, ...ascii('info'), ...ascii('de4:infoi1ee')])
    const value = bdecode(bytes) as BDict
    expect([...value.keys()]).toEqual(['\ufeffinfo', 'info'])
    expect(bdecodeWithInfoSpan(Uint8Array.from([...ascii('d7:'), ...bom, ...ascii('infodee')])).infoSpan).toBeUndefined()
  })
})
