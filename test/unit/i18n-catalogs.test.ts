import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { IntlMessageFormat } from 'intl-messageformat'
import { describe, expect, it } from 'vitest'
import { LOCALES, SOURCE_LOCALE, type Locale } from '../../src/i18n/locales'

/** The catalogs as the build reads them: one JSON file per language, English the source. */
const DIR = 'src/i18n/locales'
const catalogs = Object.fromEntries(LOCALES.map((locale) => [locale, JSON.parse(readFileSync(join(DIR, `${locale}.json`), 'utf8')) as Record<string, string>])) as Record<Locale, Record<string, string>>
const english = catalogs[SOURCE_LOCALE]
const others = LOCALES.filter((locale) => locale !== SOURCE_LOCALE)

/** What a message needs from its caller and gives its translator: argument names, markup tags, and plural selectors. */
interface Shape { args: Set<string>; tags: Set<string>; plurals: { arg: string; ordinal: boolean; keys: string[] }[] }

interface Element { type: number; value?: unknown; options?: Record<string, { value: Element[] }>; children?: Element[]; pluralType?: 'cardinal' | 'ordinal' }

// the parser's element types (@formatjs/icu-messageformat-parser TYPE)
const LITERAL = 0
const POUND = 7
const TAG = 8
const PLURAL = 6

function shape(message: string, locale: Locale): Shape {
  const out: Shape = { args: new Set(), tags: new Set(), plurals: [] }
  const walk = (elements: Element[]) => {
    for (const el of elements) {
      if (el.type === LITERAL || el.type === POUND) continue
      if (el.type === TAG) out.tags.add(String(el.value))
      else out.args.add(String(el.value))
      if (el.type === PLURAL) out.plurals.push({ arg: String(el.value), ordinal: el.pluralType === 'ordinal', keys: Object.keys(el.options ?? {}) })
      for (const option of Object.values(el.options ?? {})) walk(option.value)
      if (el.children) walk(el.children)
    }
  }
  walk(new IntlMessageFormat(message, locale).getAst() as unknown as Element[])
  return out
}

/** The plural forms a language uses for whole numbers 0-1000 (Spanish's "many" only starts at a million). */
function categoriesUsed(locale: Locale, type: Intl.PluralRulesOptions['type']): Set<string> {
  const rules = new Intl.PluralRules(locale, { type })
  return new Set(Array.from({ length: 1001 }, (_, n) => rules.select(n)))
}

describe('message catalogs', () => {
  it.each(others)('%s has every message English has', (locale) => {
    const missing = Object.keys(english).filter((id) => !(id in catalogs[locale]))
    expect(missing, `messages in en.json but not in ${locale}.json`).toEqual([])
  })

  it.each(others)('%s has no message English lacks (a renamed or removed id)', (locale) => {
    expect(Object.keys(catalogs[locale]).filter((id) => !(id in english))).toEqual([])
  })

  it.each(LOCALES)('every %s message is valid ICU MessageFormat and not empty', (locale) => {
    for (const [id, message] of Object.entries(catalogs[locale])) {
      expect(message.trim(), id).not.toBe('')
      expect(() => new IntlMessageFormat(message, locale), `${locale} ${id}`).not.toThrow()
    }
  })

  it.each(others)('%s takes the same arguments and markup as English in every message', (locale) => {
    for (const [id, source] of Object.entries(english)) {
      const translation = catalogs[locale][id]
      if (translation === undefined) continue // reported above
      const want = shape(source, SOURCE_LOCALE)
      const got = shape(translation, locale)
      expect([...got.args].sort(), `${locale} ${id}: arguments`).toEqual([...want.args].sort())
      expect([...got.tags].sort(), `${locale} ${id}: markup`).toEqual([...want.tags].sort())
    }
  })

  it.each(LOCALES)('every %s plural names each form the language uses', (locale) => {
    for (const [id, message] of Object.entries(catalogs[locale])) {
      for (const plural of shape(message, locale).plurals) {
        const needed = categoriesUsed(locale, plural.ordinal ? 'ordinal' : 'cardinal')
        const named = new Set(plural.keys)
        const missing = [...needed].filter((category) => !named.has(category))
        expect(missing, `${locale} ${id}: forms of {${plural.arg}}`).toEqual([])
      }
    }
  })

  it('every English message is used by the app (no message is left behind when its text goes)', () => {
    const source = filesUnder('src').filter((file) => file.endsWith('.ts')).map((file) => readFileSync(file, 'utf8')).join('\n')
    const unused = Object.keys(english).filter((id) => !source.includes(`'${id}'`))
    expect(unused).toEqual([])
  })
})

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)])
}
