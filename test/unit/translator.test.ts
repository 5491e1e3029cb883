import { describe, expect, it, vi } from 'vitest'
import { chooseLocale, negotiateLocale } from '../../src/i18n/locales'
import de from '../../src/i18n/locales/de.json'
import en from '../../src/i18n/locales/en.json'
import es from '../../src/i18n/locales/es.json'
import ru from '../../src/i18n/locales/ru.json'
import { Translator, type MessageId } from '../../src/i18n/translator'

const english = new Translator('en', en)
const german = new Translator('de', de)
const spanish = new Translator('es', es)
const russian = new Translator('ru', ru)
const NBSP = '\u00a0'
const NNBSP = '\u202f'
/** Intl separates some numbers from units with no-break spaces; what a person reads is a space. */
const plain = (s: string) => s.replaceAll(NBSP, ' ').replaceAll(NNBSP, ' ')

describe('which language a person gets', () => {
  it('takes the first browser language the UI speaks, by its primary subtag', () => {
    expect(negotiateLocale(['de-AT', 'en-US'])).toBe('de')
    expect(negotiateLocale(['fr-FR', 'es-MX', 'de'])).toBe('es')
    expect(negotiateLocale(['RU'])).toBe('ru')
    expect(negotiateLocale(['en_GB'])).toBe('en')
  })

  it('falls back to English when the browser asks for none of them', () => {
    expect(negotiateLocale(['pt-BR', 'fr'])).toBe('en')
    expect(negotiateLocale([])).toBe('en')
  })

  it('follows the choice in Settings over the browser, and the browser on "auto"', () => {
    expect(chooseLocale('ru', ['de-DE'])).toBe('ru')
    expect(chooseLocale('auto', ['de-DE'])).toBe('de')
    expect(chooseLocale(undefined, ['es'])).toBe('es')
  })
})

describe('sizes and speeds', () => {
  it('write binary units with the language\'s decimal mark and unit symbols', () => {
    expect(english.bytes(1.5 * 1024 * 1024)).toBe('1.5 MiB')
    expect(german.bytes(1.5 * 1024 * 1024)).toBe('1,5 MiB')
    expect(russian.bytes(1.5 * 1024 * 1024)).toBe('1,5 МиБ')
    expect(russian.speed(1.2 * 1024 * 1024)).toBe('1,2 МиБ/с')
    expect(english.speed(0)).toBe('0 B/s')
  })

  it('group thousands as the language does, and round to the next unit at 1024', () => {
    expect(english.bytes(1023.9 * 1024)).toBe('1,023.9 KiB')
    expect(german.bytes(1023.9 * 1024)).toBe('1.023,9 KiB')
    expect(english.bytes(1024 * 1024 - 1)).toBe('1.0 MiB')
    expect(english.bytes(10.4)).toBe('10 B')
  })

  it('show a dash when unknown, and a sign when negative', () => {
    expect(english.bytes(Number.NaN)).toBe('—')
    expect(english.speed(Infinity)).toBe('—')
    expect(english.bytes(-2048)).toBe('-2.0 KiB')
  })
})

describe('durations', () => {
  it('say the two largest units in the language\'s words', () => {
    expect(plain(english.duration(45))).toBe('45 sec')
    expect(plain(english.duration(59.6))).toBe('1 min')
    expect(plain(english.duration(2 * 3600 + 5 * 60))).toBe('2 hr, 5 min')
    expect(plain(english.duration(3 * 86400))).toBe('3 days')
    expect(plain(german.duration(2 * 3600 + 5 * 60))).toBe('2 Std., 5 Min.')
    expect(plain(russian.duration(3 * 86400 + 4 * 3600 + 59))).toBe('3 дн. 4 ч')
    expect(plain(spanish.duration(2 * 3600 + 5 * 60))).toBe('2 h y 5 min')
  })

  it('show a dash when unknown', () => {
    expect(english.duration(Infinity)).toBe('—')
    expect(english.duration(-1)).toBe('—')
  })
})

describe('numbers, percentages and dates', () => {
  it('round a share down, so 99.96% does not read as done', () => {
    expect(english.percent(0.9996)).toBe('99.9%')
    expect(plain(german.percent(0.455))).toBe('45,5 %')
    expect(english.percent(0.999, 0)).toBe('99%')
    expect(english.percent(1)).toBe('100%')
  })

  it('write ratios and dates as the language does', () => {
    expect(german.ratio(1.5)).toBe('1,50')
    const when = new Date(2026, 0, 2, 13, 5)
    expect(plain(german.date(when))).toBe('02.01.2026, 13:05')
    expect(plain(english.date(when))).toBe('Jan 2, 2026, 1:05 PM')
  })
})

describe('messages', () => {
  it('put each language\'s plural form on a count', () => {
    const peers = (n: number) => russian.t('torrent.peers', { count: n })
    expect([1, 2, 5, 11, 21, 22, 25].map(peers)).toEqual(['1 пир', '2 пира', '5 пиров', '11 пиров', '21 пир', '22 пира', '25 пиров'])
    expect(english.t('torrent.peers', { count: 1 })).toBe('1 peer')
    expect(english.t('torrent.peers', { count: 0 })).toBe('0 peers')
    expect(german.t('torrent.peers', { count: 2 })).toBe('2 Peers')
  })

  it('write every count with the language\'s digit grouping, where a plural uses it and where it stands alone', () => {
    // the messages that take numbers: a plain {x} would print 123456 as is (ICU formats only typed and plural numbers)
    const numeric: [MessageId, string[]][] = [
      ['torrent.files', ['count']], ['peers.fromSource', ['count']], ['torrent.peers', ['count']], ['torrent.peersFrom', ['count']],
      ['trackers.seeders', ['count']], ['trackers.leechers', ['count']], ['trackers.gave', ['count']], ['notice.savedAll', ['count']],
      ['create.picked', ['count']], ['addDialog.selected', ['chosen', 'total']], ['addDialog.showMore', ['count', 'hidden']],
      ['state.queuedInLine', ['position']], ['state.queuedToSeedInLine', ['position']],
    ]
    for (const translator of [english, german, spanish, russian]) {
      const grouped = plain(new Intl.NumberFormat(translator.locale).format(123456))
      for (const [id, args] of numeric) {
        const values = { source: 'tracker', sources: 'tracker 1', name: 'x', size: '1 B', chosenSize: '1 B', totalSize: '2 B', ...Object.fromEntries(args.map((arg) => [arg, 123456])) }
        const text = plain(translator.t(id, values))
        expect(text, `${translator.locale} ${id}`).not.toContain('123456')
        expect(text, `${translator.locale} ${id}`).toContain(grouped)
      }
    }
  })

  it('say a place in line as an ordinal in English and in the other languages\' own way', () => {
    const place = (position: number) => english.t('state.queuedInLine', { position })
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(place).map((s) => s.slice('Queued ('.length, -' in line)'.length)))
      .toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th'])
    expect(german.t('state.queuedInLine', { position: 2 })).toBe('In der Warteschlange (an 2. Stelle)')
    expect(spanish.t('state.queuedInLine', { position: 2 })).toBe('En cola (2.º en la fila)')
  })

  it('keep names whole inside the translated sentence, with its own quotation marks', () => {
    expect(german.t('notice.duplicate', { name: 'Ubuntu' })).toBe('„Ubuntu“ ist schon in Ihrer Liste.')
    expect(russian.t('notice.duplicate', { name: 'Ubuntu' })).toBe('«Ubuntu» уже есть в вашем списке.')
  })

  it('give markup as parts, so a link\'s words are translated with the sentence around them', () => {
    const parts = german.rich('list.emptyHelp', { link: (chunks) => ({ link: chunks.join('') }) })
    expect(parts).toEqual(['Neu hier? ', { link: 'So funktioniert es' }, ': die Brücke, wartende Magnet-Links, Speichern und wo Ihre Dateien liegen.'])
  })

  it('falls back to English for a message a catalog lacks or cannot format', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const partial = new Translator('de', { 'torrent.pause': 'Anhalten', 'torrent.size': '{downloaded} von {wanted' })
    expect(partial.t('torrent.pause')).toBe('Anhalten')
    expect(partial.t('torrent.resume')).toBe('Resume')
    expect(partial.t('torrent.size', { downloaded: '1', wanted: '2' })).toBe('1 of 2')
    warn.mockRestore()
  })
})
