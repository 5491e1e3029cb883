import { describe, expect, it } from 'vitest'
import { contentType, isPlayable, mediaKind, streamUrl } from '../../src/pwa/media-types'

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
