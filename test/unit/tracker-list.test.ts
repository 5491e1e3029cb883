import { describe, expect, it } from 'vitest'
import { parseTrackerLines, parseTrackerList } from '../../src/core/tracker-communication/tracker-list'
import { trackerUrlProblem, trackerUrls } from '../../src/core/torrent-parser/urls'

describe('tracker URLs', () => {
  it('takes ws, wss, http, https and udp with a host; says why anything else is not one', () => {
    for (const url of ['ws://127.0.0.1:8000', 'wss://t.example', 'http://t.example/announce', 'https://t.example:443/a?x=1', 'udp://t.example:1337/announce', 'UDP://T.EXAMPLE:1']) {
      expect(trackerUrlProblem(url), url).toBeNull()
    }
    expect(trackerUrlProblem('ftp://t.example')).toBe('needs http://, https://, udp://, ws:// or wss://')
    expect(trackerUrlProblem('not a url')).toBe('is not a URL')
    expect(trackerUrlProblem('udp://')).toBe('names no host')
    expect(trackerUrlProblem('   ')).toBe('is empty')
    expect(trackerUrlProblem(`http://t.example/${'a'.repeat(2100)}`)).toMatch(/longer than 2048 characters/)
  })
  it('filters untrusted lists as before: the bad ones dropped in silence', () => {
    expect(trackerUrls(['ftp://x', 'udp://t.example:1', ' udp://t.example:1 ', 'wss://w.example'], 10)).toEqual(['udp://t.example:1', 'wss://w.example'])
  })
})

describe('default tracker lists (server option, Settings)', () => {
  it('keeps every kind, trimmed and deduplicated, in order', () => {
    expect(parseTrackerList(['udp://a.example:1', 'wss://b.example', ' udp://a.example:1 ', 'http://c.example/announce'])).toEqual({
      trackers: ['udp://a.example:1', 'wss://b.example', 'http://c.example/announce'],
      bad: [],
    })
  })
  it('names each bad entry by its line, blank lines counted', () => {
    const { trackers, bad } = parseTrackerList(['wss://ok.example', '', 'ftp://x.example', 'x'])
    expect(trackers).toEqual(['wss://ok.example'])
    expect(bad).toEqual([
      { line: 3, url: 'ftp://x.example', reason: 'needs http://, https://, udp://, ws:// or wss://' },
      { line: 4, url: 'x', reason: 'is not a URL' },
    ])
  })
  it('refuses a URL too long for the bridge to announce to', () => {
    const long = `udp://t.example:1/${'a'.repeat(600)}`
    expect(parseTrackerList([long]).bad[0]?.reason).toBe('is longer than 512 bytes')
  })
  it('Settings text: the trackers, or a message naming every bad line', () => {
    expect(parseTrackerLines('\nhttp://127.0.0.1:8000/announce\n  udp://127.0.0.1:8001  \n')).toEqual({
      trackers: ['http://127.0.0.1:8000/announce', 'udp://127.0.0.1:8001'],
      error: null,
    })
    expect(parseTrackerLines('')).toEqual({ trackers: [], error: null })
    expect(parseTrackerLines('wss://ok.example\nhttp:/\ntracker.example:6969')).toEqual({
      trackers: ['wss://ok.example'],
      error: 'Line 2: "http:/" is not a URL. Line 3: "tracker.example:6969" needs http://, https://, udp://, ws:// or wss://.',
    })
  })
})
