import { describe, expect, it } from 'vitest'
import { srtToVtt } from '../../src/pwa/subtitles'

describe('srtToVtt', () => {
  it('converts cue numbers, comma decimals, CRLF and a BOM', () => {
    const srt = '\uFEFF1\r\n00:00:01,500 --> 00:00:03,000\r\nHello\r\n\r\n2\r\n00:00:04,000 --> 00:00:05,250\r\nTwo\r\nlines\r\n'
    expect(srtToVtt(srt)).toBe('WEBVTT\n\n00:00:01.500 --> 00:00:03.000\nHello\n\n00:00:04.000 --> 00:00:05.250\nTwo\nlines\n')
  })
  it('leaves WebVTT alone', () => {
    expect(srtToVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nHi')).toBe('WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n')
  })
})
