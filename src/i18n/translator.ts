/**
 * One language's messages and formats: ICU MessageFormat messages (plurals, ordinals and
 * selects live in the translation itself, so each language says them its own way) and numbers,
 * sizes, speeds, durations and dates through Intl. Pure: no DOM, unit-tested in Node.
 */
import { IntlMessageFormat } from 'intl-messageformat'
import type { Locale } from './locales'
import en from './locales/en.json'

export type MessageId = keyof typeof en
/** A translation: any id missing falls back to English (the catalog test keeps none missing). */
export type Catalog = Partial<Record<MessageId, string>>
export type Values = Record<string, string | number>
/** Values of a message with markup: a tag's function turns its (translated) text into a part. */
export type RichValues<T> = Record<string, string | number | ((chunks: (string | T)[]) => T)>

export const SOURCE_CATALOG: Catalog = en

/** Binary units, as file managers show them; their symbols are messages ("КиБ" in Russian). */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const
const UNIT_MESSAGES: Record<(typeof UNITS)[number], MessageId> = {
  B: 'size.B', KiB: 'size.KiB', MiB: 'size.MiB', GiB: 'size.GiB', TiB: 'size.TiB', PiB: 'size.PiB', EiB: 'size.EiB',
}

export class Translator {
  private readonly compiled = new Map<string, IntlMessageFormat>()
  private readonly oneDecimal: Intl.NumberFormat
  private readonly integer: Intl.NumberFormat
  private readonly twoDecimals: Intl.NumberFormat
  private readonly dateTime: Intl.DateTimeFormat
  private readonly list: Intl.ListFormat

  constructor(readonly locale: Locale, private readonly catalog: Catalog) {
    this.oneDecimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    this.integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
    this.twoDecimals = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    this.dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
    this.list = new Intl.ListFormat(locale, { type: 'unit', style: 'short' })
  }

  /** A plain message (any '<' in it is text, not markup). */
  t(id: MessageId, values?: Values): string {
    return this.run(id, true, (format) => String(format.format(values)))
  }

  /** A message with markup tags (`<link>Help</link>`): plain text and the parts the tags' functions return. */
  rich<T>(id: MessageId, values: RichValues<T>): (string | T)[] {
    return this.run(id, false, (format) => {
      const out = format.format<T>(values as Record<string, string | number | T | ((chunks: (string | T)[]) => T)>)
      return Array.isArray(out) ? out : [out as string | T]
    })
  }

  /** '0 B', '512 B', '64.0 KiB', '1,5 МиБ'; '—' when unknown. */
  bytes(n: number): string {
    if (!Number.isFinite(n)) return '—'
    if (n < 0) return `-${this.bytes(-n)}`
    if (n < 1024) return this.t(UNIT_MESSAGES.B, { value: this.integer.format(Math.round(n)) })
    let unit = 0
    let value = n
    // compare the rounded value so 1023.96 KiB shows as "1.0 MiB", not "1024.0 KiB"
    while (unit < UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
      value /= 1024
      unit++
    }
    return this.t(UNIT_MESSAGES[UNITS[unit]!], { value: this.oneDecimal.format(value) })
  }

  /** '1.2 MiB/s'; '—' when unknown. */
  speed(bytesPerSecond: number): string {
    return Number.isFinite(bytesPerSecond) ? this.t('size.perSecond', { size: this.bytes(bytesPerSecond) }) : '—'
  }

  /** '45 sec', '3 min', '2 hr, 5 min', '3 days, 4 hr' in the locale's words (the two largest units); '—' when unknown. */
  duration(seconds: number): string {
    if (!Number.isFinite(seconds) || seconds < 0) return '—'
    // round first so 59.6 s reads "1 min" rather than "60 s"
    const s = Math.round(seconds)
    if (s < 60) return this.unit(s, 'second')
    if (s < 3600) return this.unit(Math.floor(s / 60), 'minute')
    const [big, small, bigUnit, smallUnit] = s < 86400
      ? [Math.floor(s / 3600), Math.floor((s % 3600) / 60), 'hour', 'minute'] as const
      : [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), 'day', 'hour'] as const
    const parts = [this.unit(big, bigUnit)]
    if (small) parts.push(this.unit(small, smallUnit))
    return this.list.format(parts)
  }

  /** A share 0..1 as a percentage, rounded down (99.96% is not done): '45.5%', '45,5 %'. */
  percent(fraction: number, fractionDigits: 0 | 1 = 1): string {
    const scale = 10 ** (fractionDigits + 2)
    const floored = Number.isFinite(fraction) ? Math.floor(fraction * scale) / scale : 0
    return new Intl.NumberFormat(this.locale, { style: 'percent', maximumFractionDigits: fractionDigits }).format(floored)
  }

  /** An upload ratio: '1.25', '1,25'. */
  ratio(value: number): string {
    return this.twoDecimals.format(value)
  }

  /** '2 Jan 2026, 13:05' as the locale writes it. */
  date(time: number | Date): string {
    return this.dateTime.format(time)
  }

  private unit(value: number, unit: 'second' | 'minute' | 'hour' | 'day'): string {
    return new Intl.NumberFormat(this.locale, { style: 'unit', unit, unitDisplay: 'short' }).format(value)
  }

  /**
   * Formats with this language's message, or English's when it has none or it fails (a value
   * missing, say): a person gets a sentence, never an exception from a translation.
   */
  private run<R>(id: MessageId, plain: boolean, format: (message: IntlMessageFormat) => R): R {
    const own = this.catalog[id]
    try {
      if (own !== undefined) return format(this.compile(this.locale, id, own, plain))
    } catch (err) {
      console.warn(`[i18n] ${this.locale} message ${id}:`, err)
    }
    const source = SOURCE_CATALOG[id] ?? id
    return format(this.compile('en', id, source, plain))
  }

  private compile(locale: Locale, id: MessageId, message: string, plain: boolean): IntlMessageFormat {
    const key = `${locale}\u0000${plain ? 'p' : 'r'}\u0000${id}`
    let compiled = this.compiled.get(key)
    if (!compiled) {
      compiled = new IntlMessageFormat(message, locale, undefined, { ignoreTag: plain })
      this.compiled.set(key, compiled)
    }
    return compiled
  }
}
