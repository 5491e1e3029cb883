/**
 * The web app manifest's name, short name and description in every language, as its
 * `*_localized` members (W3C manifest, "localized members"): a browser that implements them
 * names the installed app in its user's language; others ignore them and use the English ones.
 */
import { LOCALES, SOURCE_LOCALE } from './locales'
import de from './locales/de.json'
import en from './locales/en.json'
import es from './locales/es.json'
import ru from './locales/ru.json'

const CATALOGS = { en, de, es, ru }

type Member = 'app.name' | 'app.shortName' | 'app.description'

function localized(id: Member): Record<string, string> {
  return Object.fromEntries(LOCALES.filter((locale) => locale !== SOURCE_LOCALE).map((locale) => [locale, CATALOGS[locale][id]]))
}

export function manifestTexts() {
  return {
    lang: SOURCE_LOCALE,
    name: en['app.name'],
    short_name: en['app.shortName'],
    description: en['app.description'],
    name_localized: localized('app.name'),
    short_name_localized: localized('app.shortName'),
    description_localized: localized('app.description'),
  }
}
