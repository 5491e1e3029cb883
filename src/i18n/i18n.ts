/**
 * The page's current language: `t()` and the formatters every element calls, `setLocale()` to
 * change it (every element re-renders), and the document's `lang`, so screen readers pronounce
 * the page in it.
 */
import { SOURCE_LOCALE, type Locale } from './locales'
import de from './locales/de.json'
import es from './locales/es.json'
import ru from './locales/ru.json'
import { SOURCE_CATALOG, Translator, type Catalog, type MessageId, type RichValues, type Values } from './translator'

export type { MessageId } from './translator'

/**
 * Every catalog is bundled (about 20 KB each, 6 KB compressed): the first render is already in the
 * person's language, with no English flash while a catalog loads.
 */
const CATALOGS: Record<Locale, Catalog> = { en: SOURCE_CATALOG, de, es, ru }

/** Told of each change of language (an EventTarget of its own, so this module also runs in Node's unit tests). */
const changes = new EventTarget()
let current = new Translator(SOURCE_LOCALE, SOURCE_CATALOG)

export function currentLocale(): Locale {
  return current.locale
}

/** Switches the page to `locale`: the document's language, then every element re-renders. */
export function setLocale(locale: Locale): void {
  const page = (globalThis as { document?: { documentElement: { lang: string } } }).document
  if (page) page.documentElement.lang = locale
  if (current.locale === locale) return
  current = new Translator(locale, CATALOGS[locale])
  changes.dispatchEvent(new Event('change'))
}

/** Calls `listener` after each change of language; returns the way to stop. */
export function onLocaleChange(listener: () => void): () => void {
  changes.addEventListener('change', listener)
  return () => changes.removeEventListener('change', listener)
}

export const t = (id: MessageId, values?: Values): string => current.t(id, values)
export const rich = <T>(id: MessageId, values: RichValues<T>): (string | T)[] => current.rich(id, values)
export const formatBytes = (n: number): string => current.bytes(n)
export const formatSpeed = (bytesPerSecond: number): string => current.speed(bytesPerSecond)
export const formatDuration = (seconds: number): string => current.duration(seconds)
export const formatPercent = (fraction: number, fractionDigits: 0 | 1 = 1): string => current.percent(fraction, fractionDigits)
export const formatRatio = (ratio: number): string => current.ratio(ratio)
export const formatDate = (time: number | Date): string => current.date(time)
