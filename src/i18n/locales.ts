/**
 * The languages the UI speaks, and which one a person gets. Pure: no DOM, so unit tests and the
 * build (the manifest's translated names) read it too.
 */

/** English is the source: every message exists in it, and every other catalog translates its ids. */
export const LOCALES = ['en', 'de', 'es', 'ru'] as const
export type Locale = (typeof LOCALES)[number]
export const SOURCE_LOCALE: Locale = 'en'

/** Settings → Language: 'auto' follows the browser's languages. */
export type LanguageSetting = 'auto' | Locale

/** Each language's name in itself, as language menus show them (a person who cannot read the current one finds theirs). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch', es: 'Español', ru: 'Русский' }

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/**
 * The first of the browser's languages (`navigator.languages`, most wanted first) that the UI
 * speaks, by its primary subtag ("de-AT" gets German); English when none is.
 */
export function negotiateLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0]
    if (isLocale(primary)) return primary
  }
  return SOURCE_LOCALE
}

/** The language to show: the setting when it names one, else the browser's. */
export function chooseLocale(setting: LanguageSetting | undefined, preferred: readonly string[]): Locale {
  return setting && setting !== 'auto' && isLocale(setting) ? setting : negotiateLocale(preferred)
}
