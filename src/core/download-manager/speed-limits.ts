import { AppError } from '../../protocol/errors'

/** Bytes per second each way; 0 = no limit. The same fields as the global Settings. */
export interface SpeedLimits {
  downloadLimit: number
  uploadLimit: number
}

export const NO_LIMITS: SpeedLimits = { downloadLimit: 0, uploadLimit: 0 }

/** 1 TiB/s: beyond any link, and below where speed-limiter's parseInt of a rate breaks (1e21). */
export const MAX_SPEED_LIMIT = 2 ** 40

const KIB = 1024

/** A whole number of bytes per second; anything at or below 0 (or not a number) is no limit. */
export function wholeRate(bytesPerSecond: number): number {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return 0
  return Math.min(MAX_SPEED_LIMIT, Math.max(1, Math.round(bytesPerSecond)))
}

/** How one torrent's token bucket for one direction is set up under the global one. */
export interface BucketPlan {
  /** Bytes per second, and the bucket's size (at most a second's worth of burst). */
  rate: number
  /** Bytes taken at a time: a tenth of a second at the lower limit, so a slice fits either bucket. */
  sliceBytes: number
  /** Bytes also spend from the global bucket (its parent): the lower limit wins. */
  underGlobal: boolean
}

/** One direction of one torrent; null when neither limit is set and bytes pass untouched. */
export function bucketPlan(torrentLimit: number, globalLimit: number): BucketPlan | null {
  const own = wholeRate(torrentLimit)
  const global = wholeRate(globalLimit)
  if (!own && !global) return null
  const lower = Math.min(own || Infinity, global || Infinity)
  // limiter takes a bucket of size 0 for unlimited and then never asks its parent: a torrent
  // without a limit of its own gets a bucket as large as the global one instead.
  return { rate: own || global, sliceBytes: Math.max(1, Math.floor(lower / 10)), underGlobal: global > 0 }
}

/** A torrent's limits as its record keeps them (records saved before limits existed have none). */
export function limitsOf(stored: Partial<SpeedLimits>): SpeedLimits {
  return { downloadLimit: wholeRate(stored.downloadLimit ?? 0), uploadLimit: wholeRate(stored.uploadLimit ?? 0) }
}

/** The fields given, checked (they may come from another tab): whole bytes per second, 0 = none. */
export function checkedLimits(limits: Partial<SpeedLimits>): Partial<SpeedLimits> {
  const out: Partial<SpeedLimits> = {}
  for (const field of ['downloadLimit', 'uploadLimit'] as const) {
    const value = limits[field]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_SPEED_LIMIT) {
      throw new AppError('BAD_INPUT', 'A speed limit is a number of KiB/s from 0 (no limit) up to 1 TiB/s.')
    }
    out[field] = wholeRate(value)
  }
  return out
}

/** What a person typed in KiB/s, as bytes per second: empty or 0 is no limit; null if unusable. */
export function parseKiBPerSecond(text: string): number | null {
  const trimmed = text.trim()
  if (trimmed === '') return 0
  const kib = Number(trimmed)
  if (!Number.isFinite(kib) || kib < 0 || kib * KIB > MAX_SPEED_LIMIT) return null
  return wholeRate(kib * KIB)
}

/** A limit for a KiB/s input: empty when there is none (the input then shows its placeholder). */
export function kibPerSecondText(bytesPerSecond: number): string {
  const rate = wholeRate(bytesPerSecond)
  return rate ? String(Number((rate / KIB).toFixed(2))) : ''
}
