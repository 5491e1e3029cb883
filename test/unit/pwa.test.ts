import { describe, expect, it } from 'vitest'
import { contentType, isPlayable, mediaKind, streamUrl } from '../../src/pwa/media-types'
import { resolveRange } from '../../src/pwa/range'
import { srtToVtt } from '../../src/pwa/subtitles'

describe('resolveRange', () => {
  it('answers the forms browsers send', () => {
    expect(resolveRange(null, 100)).toEqual({ kind: 'full', start: 0, end: 99 })
    expect(resolveRange('bytes=0-', 100)).toEqual({ kind: 'partial', start: 0, end: 99 })
    expect(resolveRange('bytes=10-19', 100)).toEqual({ kind: 'partial', start: 10, end: 19 })
    expect(resolveRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 })
    expect(resolveRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 })
    expect(resolveRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 })
  })
  it('refuses what cannot be satisfied, and ignores what it does not understand', () => {
    expect(resolveRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=20-10', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'full', start: 0, end: 99 })
    expect(resolveRange('items=0-1', 100)).toEqual({ kind: 'full', start: 0, end: 99 })
  })
})

describe('srtToVtt', () => {
  it('converts cue numbers, comma decimals, CRLF and a BOM', () => {
    const srt = '\uFEFF1\r\n00:00:01,500 --> 00:00:03,000\r\nHello\r\n\r\n2\r\n00:00:04,000 --> 00:00:05,250\r\nTwo\r\nlines\r\n'
    expect(srtToVtt(srt)).toBe('WEBVTT\n\n00:00:01.500 --> 00:00:03.000\nHello\n\n00:00:04.000 --> 00:00:05.250\nTwo\nlines\n')
  })
  it('leaves WebVTT alone', () => {
    expect(srtToVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nHi')).toBe('WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n')
  })
})

describe('media types', () => {
  it('knows what may play and how to serve it', () => {
    expect(mediaKind('Movie.MKV')).toBe('video')
    expect(mediaKind('song.flac')).toBe('audio')
    expect(mediaKind('cover.jpg')).toBe('image')
    expect(mediaKind('readme.nfo')).toBe('text')
    expect(isPlayable('setup.exe')).toBe(false)
    expect(contentType('a.mp4')).toBe('video/mp4')
    expect(contentType('a.bin')).toBe('application/octet-stream')
    expect(streamUrl('ab'.repeat(20), 3, 'a b#.mp4')).toBe(`/stream/${'ab'.repeat(20)}/3/a%20b%23.mp4`)
  })
})
