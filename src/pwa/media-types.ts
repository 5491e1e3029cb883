/** What the browser may play or show, by file extension. Pure. */
export type MediaKind = 'video' | 'audio' | 'image' | 'text' | 'subtitle'

const TYPES: Record<string, [MediaKind, string]> = {
  mp4: ['video', 'video/mp4'], m4v: ['video', 'video/mp4'], webm: ['video', 'video/webm'],
  mkv: ['video', 'video/x-matroska'], mov: ['video', 'video/quicktime'], ogv: ['video', 'video/ogg'],
  avi: ['video', 'video/x-msvideo'], ts: ['video', 'video/mp2t'],
  mp3: ['audio', 'audio/mpeg'], m4a: ['audio', 'audio/mp4'], aac: ['audio', 'audio/aac'], ogg: ['audio', 'audio/ogg'],
  oga: ['audio', 'audio/ogg'], opus: ['audio', 'audio/ogg; codecs=opus'], flac: ['audio', 'audio/flac'], wav: ['audio', 'audio/wav'],
  weba: ['audio', 'audio/webm'],
  jpg: ['image', 'image/jpeg'], jpeg: ['image', 'image/jpeg'], png: ['image', 'image/png'], gif: ['image', 'image/gif'],
  webp: ['image', 'image/webp'], avif: ['image', 'image/avif'], bmp: ['image', 'image/bmp'], svg: ['image', 'image/svg+xml'],
  txt: ['text', 'text/plain; charset=utf-8'], md: ['text', 'text/plain; charset=utf-8'], nfo: ['text', 'text/plain; charset=utf-8'],
  log: ['text', 'text/plain; charset=utf-8'], json: ['text', 'text/plain; charset=utf-8'], csv: ['text', 'text/plain; charset=utf-8'],
  srt: ['subtitle', 'text/plain; charset=utf-8'], vtt: ['subtitle', 'text/vtt; charset=utf-8'],
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase()
}

export function mediaKind(name: string): MediaKind | undefined {
  return TYPES[extensionOf(name)]?.[0]
}

/** The Content-Type the stream route sends. */
export function contentType(name: string): string {
  return TYPES[extensionOf(name)]?.[1] ?? 'application/octet-stream'
}

/** Files that get a "Play NAME" button (subtitles preview as text too). */
export function isPlayable(name: string): boolean {
  return mediaKind(name) !== undefined
}

/** `/stream/<infoHash>/<fileIndex>/<name>` */
export function streamUrl(infoHash: string, fileIndex: number, name: string): string {
  return `/stream/${infoHash}/${fileIndex}/${encodeURIComponent(name)}`
}
