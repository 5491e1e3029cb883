import { setLocale } from '../i18n/i18n'
import { chooseLocale, isLocale, type LanguageSetting } from '../i18n/locales'

/**
 * The choice in Settings lives in IndexedDB, which opens too late for the first render; this
 * copy lets the page start in it at once.
 */
const STORAGE_KEY = 'torrent-web:language'

/** Shows the UI in the chosen language, or the browser's first one it speaks ('auto'), and remembers the choice for the next start. */
export function applyLanguage(setting: LanguageSetting): void {
  try {
    localStorage.setItem(STORAGE_KEY, setting)
  } catch {
    // storage refused (private mode): the next start follows the browser until settings load
  }
  setLocale(chooseLocale(setting, browserLanguages()))
}

/** Before settings are read: the last choice this browser made, else the browser's languages. */
export function applyStartLanguage(): void {
  let saved: string | null = null
  try {
    saved = localStorage.getItem(STORAGE_KEY)
  } catch {
    // as above
  }
  setLocale(chooseLocale(saved === 'auto' || isLocale(saved) ? saved : 'auto', browserLanguages()))
}

function browserLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language]
}
