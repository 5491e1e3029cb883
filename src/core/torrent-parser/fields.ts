/** Typed accessors for bencoded dictionaries that fail with messages naming the field. */
import { AppError, type ErrorCode } from '../../protocol/errors'
import type { BDict, BValue } from './bencode'

const utf8 = new TextDecoder('utf-8')

export function damaged(what: string, code: ErrorCode = 'BAD_TORRENT'): never {
  throw new AppError(code, `This .torrent file is damaged: ${what}`)
}

export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map
}

export function typeName(v: BValue | undefined): string {
  if (v === undefined) return 'missing'
  if (typeof v === 'number') return 'a number'
  if (v instanceof Uint8Array) return 'text'
  if (Array.isArray(v)) return 'a list'
  return 'a dictionary'
}

/** Decodes bytes as UTF-8; invalid sequences become U+FFFD rather than failing the torrent. */
export function text(bytes: Uint8Array): string {
  return utf8.decode(bytes)
}

export function requireDict(d: BDict, key: string, label = key): BDict {
  const v = d.get(key)
  if (v === undefined) damaged(`the "${label}" section is missing.`)
  if (!isDict(v)) damaged(`"${label}" should be a dictionary but is ${typeName(v)}.`)
  return v
}

export function requireBytes(d: BDict, key: string, label = key): Uint8Array {
  const v = d.get(key)
  if (v === undefined) damaged(`the "${label}" field is missing.`)
  if (!(v instanceof Uint8Array)) damaged(`"${label}" should be text but is ${typeName(v)}.`)
  return v
}

export function requireInt(d: BDict, key: string, label = key): number {
  const v = d.get(key)
  if (v === undefined) damaged(`the "${label}" field is missing.`)
  if (typeof v !== 'number') damaged(`"${label}" should be a number but is ${typeName(v)}.`)
  return v
}

/** Prefers the `key.utf-8` variant some creators add for names in legacy encodings. */
export function requireText(d: BDict, key: string, label = key): string {
  const alt = d.get(`${key}.utf-8`)
  if (alt instanceof Uint8Array) return text(alt)
  return text(requireBytes(d, key, label))
}

/** Optional text field: wrong types are ignored, since nothing depends on them. */
export function optionalText(d: BDict, key: string): string | undefined {
  for (const k of [`${key}.utf-8`, key]) {
    const v = d.get(k)
    if (v instanceof Uint8Array) return text(v)
  }
  return undefined
}
