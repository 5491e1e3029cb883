/**
 * Bencode (BEP 3) decoder and encoder.
 *
 * We write our own decoder rather than use a library because we need (1) the raw byte span of
 * the `info` dict to compute the info-hash exactly as the creator did, (2) strict limits so a
 * hostile file cannot exhaust the stack or produce unsafe numbers, and (3) error messages with
 * the byte offset of the problem.
 */
import { AppError } from '../../protocol/errors'

export type BDict = Map<string, BValue>
export type BValue = number | Uint8Array | BValue[] | BDict

/** Anything `bencode` accepts: decoded values plus JS-friendly strings, booleans and objects. */
export type BEncodable =
  | BValue
  | string
  | boolean
  | readonly BEncodable[]
  // keys as bytes where they are not text (BEP 52's `piece layers` are keyed by 32-byte hashes)
  | Map<string | Uint8Array, BEncodable>
  | { readonly [key: string]: BEncodable | undefined }

/** Default nesting limit: real torrents nest 4 deep; 64 leaves room without risking the stack. */
export const DEFAULT_MAX_DEPTH = 64

/** Longest dictionary key quoted in an error message (characters). */
const MAX_QUOTED_CHARS = 40

// ignoreBOM: a key that starts with U+FEFF keeps it; by default the decoder drops it as a byte
// order mark, and the key "\ufeffinfo" would be read as "info"
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
type KeyText = (raw: Uint8Array) => string
const utf8Key: KeyText = (raw) => utf8.decode(raw)
/** Binary keys (BEP 52's `piece layers` are keyed by 32-byte hashes), as lowercase hex: lossless. */
const hexKey: KeyText = (raw) => {
  let hex = ''
  for (const b of raw) hex += HEX[b] as string
  return hex
}
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))
const encoder = new TextEncoder()

const C_0 = 0x30
const C_9 = 0x39
const C_COLON = 0x3a
const C_MINUS = 0x2d
const C_D = 0x64
const C_E = 0x65
const C_I = 0x69
const C_L = 0x6c

function fail(pos: number, what: string): never {
  throw new AppError('BAD_BENCODE', `This file is not valid bencode (the .torrent format): ${what} at byte ${pos}.`)
}

class Decoder {
  pos = 0
  infoSpan: [number, number] | undefined
  pieceLayersSpan: [number, number] | undefined
  /** Where the first key that does not sort after the key before it is (BEP 52 requires sorted keys). */
  unsortedKeyAt: number | undefined

  /** Values decoded so far, against `maxValues`. */
  private values = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly maxValues: number,
    private readonly keyText: KeyText = utf8Key,
  ) {}

  value(depth: number): BValue {
    // a megabyte of "de" is half a million empty dictionaries: a caller that knows how many values
    // its data can hold says so, and is spared building the rest
    if (++this.values > this.maxValues) fail(this.pos, `more than ${this.maxValues} values`)
    const c = this.bytes[this.pos]
    if (c === undefined) fail(this.pos, 'the data ends too early')
    if (c === C_I) return this.int()
    if (c >= C_0 && c <= C_9) return this.str()
    if (c === C_L || c === C_D) {
      // depth counts containers, so maxDepth bounds recursion regardless of input
      if (depth >= this.maxDepth) fail(this.pos, `lists and dictionaries are nested more than ${this.maxDepth} deep`)
      return c === C_L ? this.list(depth + 1) : this.dict(depth + 1)
    }
    fail(this.pos, `unexpected character ${describe(c)}`)
  }

  /** Reads ASCII digits (with optional leading '-') up to `end`, rejecting leading zeros and -0. */
  private digits(end: number, allowNegative: boolean, what: string): number {
    const start = this.pos
    let negative = false
    if (allowNegative && this.bytes[this.pos] === C_MINUS) {
      negative = true
      this.pos++
    }
    const first = this.pos
    let n = 0
    for (;;) {
      const c = this.bytes[this.pos]
      if (c === undefined) fail(this.pos, `the data ends inside ${what}`)
      if (c === end) break
      if (c < C_0 || c > C_9) fail(this.pos, `unexpected character ${describe(c)} in ${what}`)
      n = n * 10 + (c - C_0)
      // checked per digit so a million-digit number fails fast instead of becoming Infinity
      if (n > Number.MAX_SAFE_INTEGER) fail(start, `${what} is too large`)
      this.pos++
    }
    const count = this.pos - first
    if (count === 0) fail(first, `${what} has no digits`)
    if (count > 1 && this.bytes[first] === C_0) fail(first, `${what} has a leading zero`)
    if (negative && n === 0) fail(start, `${what} is "-0"`)
    this.pos++ // skip the terminator
    return negative ? -n : n
  }

  private int(): number {
    this.pos++ // 'i'
    return this.digits(C_E, true, 'an integer')
  }

  private str(): Uint8Array {
    const lengthAt = this.pos
    const length = this.digits(C_COLON, false, 'a string length')
    if (length > this.bytes.length - this.pos) {
      fail(lengthAt, `a string of ${length} bytes runs past the end of the data`)
    }
    // a view, not a copy: callers that keep bytes (metainfo) copy what they need
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  private list(depth: number): BValue[] {
    this.pos++ // 'l'
    const out: BValue[] = []
    while (this.bytes[this.pos] !== C_E) out.push(this.value(depth))
    this.pos++
    return out
  }

  private dict(depth: number): BDict {
    this.pos++ // 'd'
    const out: BDict = new Map()
    let previous: Uint8Array | undefined
    for (;;) {
      const c = this.bytes[this.pos]
      if (c === C_E) break
      if (c === undefined) fail(this.pos, 'the data ends inside a dictionary')
      const keyAt = this.pos
      if (c < C_0 || c > C_9) fail(keyAt, 'a dictionary key is not a string')
      const raw = this.str()
      const key = this.keyText(raw)
      // duplicate keys make the meaning ambiguous; unsorted keys are merely sloppy and common in
      // v1 torrents, so they are only noted (a v2 torrent's file order is its keys' order)
      if (out.has(key)) fail(keyAt, `the dictionary key ${quote(key)} appears twice`)
      if (previous && this.unsortedKeyAt === undefined && compareBytes(previous, raw) >= 0) this.unsortedKeyAt = keyAt
      previous = raw
      const valueAt = this.pos
      out.set(key, this.value(depth))
      if (depth === 1 && key === 'info') this.infoSpan = [valueAt, this.pos]
      if (depth === 1 && key === 'piece layers') this.pieceLayersSpan = [valueAt, this.pos]
    }
    this.pos++
    return out
  }
}

/** A key for a message: a hostile one may be megabytes long or hold line breaks. */
function quote(key: string): string {
  // code points of a bounded prefix only: spreading a 64 MiB key would cost more than the parse
  const head = [...key.slice(0, 2 * MAX_QUOTED_CHARS)]
  const cut = head.length > MAX_QUOTED_CHARS || key.length > 2 * MAX_QUOTED_CHARS
  return JSON.stringify(cut ? `${head.slice(0, MAX_QUOTED_CHARS).join('')}…` : key)
}

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `0x${c.toString(16).padStart(2, '0')}`
}

/**
 * Decodes one bencoded value that must fill `bytes` exactly. Throws AppError('BAD_BENCODE').
 * Keys are read as UTF-8, or with `binaryKeys` as the lowercase hex of their bytes.
 */
export function bdecode(bytes: Uint8Array, opts?: { maxDepth?: number; maxValues?: number; binaryKeys?: boolean }): BValue {
  return decode(bytes, opts?.maxDepth ?? DEFAULT_MAX_DEPTH, opts?.maxValues ?? Infinity, opts?.binaryKeys ? hexKey : utf8Key).value
}

export interface DecodedTorrent {
  value: BValue
  /** Byte span [start, end) of the top-level `info` value. */
  infoSpan?: [number, number]
  /** Byte span of the top-level `piece layers` value (BEP 52), to be read again with binary keys. */
  pieceLayersSpan?: [number, number]
  /** Offset of the first dictionary key that does not sort after the one before it. */
  unsortedKeyAt?: number
}

/** Like `bdecode`, and also reports the spans of the top-level `info` and `piece layers` values. */
export function bdecodeWithInfoSpan(bytes: Uint8Array, opts?: { maxDepth?: number }): DecodedTorrent {
  return decode(bytes, opts?.maxDepth ?? DEFAULT_MAX_DEPTH, Infinity, utf8Key)
}

function decode(bytes: Uint8Array, maxDepth: number, maxValues: number, keys: KeyText): DecodedTorrent {
  if (bytes.length === 0) fail(0, 'the data is empty')
  const d = new Decoder(bytes, maxDepth, maxValues, keys)
  const value = d.value(0)
  if (d.pos !== bytes.length) fail(d.pos, `${bytes.length - d.pos} unexpected bytes follow the end of the data`)
  const out: DecodedTorrent = { value }
  if (d.infoSpan) out.infoSpan = d.infoSpan
  if (d.pieceLayersSpan) out.pieceLayersSpan = d.pieceLayersSpan
  if (d.unsortedKeyAt !== undefined) out.unsortedKeyAt = d.unsortedKeyAt
  return out
}

/** Encodes a value as bencode, with dictionary keys sorted by their raw bytes as BEP 3 requires. */
export function bencode(value: BEncodable): Uint8Array {
  const chunks: Uint8Array[] = []
  encodeInto(value, chunks, 0)
  let total = 0
  for (const c of chunks) total += c.length
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

function encodeInto(value: BEncodable, out: Uint8Array[], depth: number): void {
  if (depth > DEFAULT_MAX_DEPTH * 4) throw new AppError('BAD_BENCODE', 'Cannot bencode: the value is nested too deeply (is it circular?).')
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AppError('BAD_BENCODE', `Cannot bencode ${value}: only whole numbers are allowed.`)
    out.push(encoder.encode(`i${value}e`))
  } else if (typeof value === 'boolean') {
    out.push(encoder.encode(value ? 'i1e' : 'i0e'))
  } else if (typeof value === 'string') {
    pushString(encoder.encode(value), out)
  } else if (value instanceof Uint8Array) {
    pushString(value, out)
  } else if (Array.isArray(value)) {
    out.push(encoder.encode('l'))
    for (const item of value as readonly BEncodable[]) encodeInto(item, out, depth + 1)
    out.push(encoder.encode('e'))
  } else if (typeof value === 'object' && value !== null) {
    const entries: [Uint8Array, BEncodable][] = []
    const source = value instanceof Map ? value.entries() : Object.entries(value)
    for (const [k, v] of source as Iterable<[string | Uint8Array, BEncodable | undefined]>) {
      if (v !== undefined) entries.push([typeof k === 'string' ? encoder.encode(k) : k, v])
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]))
    out.push(encoder.encode('d'))
    for (const [k, v] of entries) {
      pushString(k, out)
      encodeInto(v, out, depth + 1)
    }
    out.push(encoder.encode('e'))
  } else {
    throw new AppError('BAD_BENCODE', `Cannot bencode a value of type ${typeof value}.`)
  }
}

function pushString(bytes: Uint8Array, out: Uint8Array[]): void {
  out.push(encoder.encode(`${bytes.length}:`), bytes)
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}
