import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import type { TorrentRecord } from '../download-manager/snapshot'

/** webtorrent marks at most two pieces ahead of a stream as critical; playback wants a few MiB. */
const STREAM_AHEAD_BYTES = 4 * 1024 * 1024

/**
 * Bytes [start, end] (inclusive) of a file as they become available, for playback. While a
 * stream is open the torrent downloads in order, with the next few MiB critical, so a seek or a
 * bitrate peak does not stall on one slow piece; the user's own choice returns when the last
 * stream closes.
 */
export function playbackStream(record: TorrentRecord, torrent: Torrent, fileIndex: number, start: number, end: number): ReadableStream<Uint8Array> {
  const file = torrent.files[fileIndex]!
  record.openStreams = (record.openStreams ?? 0) + 1
  torrent.strategy = 'sequential'
  const release = () => {
    record.openStreams = Math.max(0, (record.openStreams ?? 1) - 1)
    if (record.openStreams === 0 && record.torrent === torrent) torrent.strategy = record.stored.sequential ? 'sequential' : 'rarest'
  }
  const pieceLength = torrent.pieceLength
  const lastPiece = Math.floor((file.offset + Math.max(0, file.length - 1)) / pieceLength)
  const ahead = Math.max(2, Math.ceil(STREAM_AHEAD_BYTES / pieceLength))
  let position = start
  const markAhead = () => {
    const piece = Math.floor((file.offset + position) / pieceLength)
    if (!torrent.destroyed && piece <= lastPiece) torrent.critical(piece, Math.min(lastPiece, piece + ahead))
  }
  markAhead()
  const reader = file.stream({ start, end }).getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read()
        if (done) {
          release()
          controller.close()
        } else {
          position += value.byteLength
          markAhead()
          controller.enqueue(value)
        }
      } catch (err) {
        release()
        controller.error(err)
      }
    },
    cancel(reason) {
      release()
      return reader.cancel(reason)
    },
  })
}
