import type { Metainfo } from '../../core/torrent-parser/metainfo'
import { RpcClient, abortable } from '../../core/rpc-client'
import { AppError } from '../../protocol/errors'
import type { ParseReply, ParseRequest } from '../../protocol/parse-messages'

/**
 * Every .torrent is parsed in the parse worker, whatever its size (issue 13: the page never
 * freezes on input): a file's size says little about its cost (a 195 KiB name took 39 s to
 * sanitise in Node 20 before that was fixed), and the round trip costs little. Measured in
 * Chromium 156 for a 270-byte torrent: about 0.1 ms once the worker runs; the first call waits
 * about 90 ms while the worker starts, off the main thread. So the worker stays a while after a
 * call (adding a torrent parses it twice: the add dialog, then the engine) and then goes, with
 * whatever a large torrent left in its heap.
 */
const PARSE_IDLE_MS = 30_000

const client = new RpcClient<ParseRequest, ParseReply>({
  start: () => new Worker(new URL('../../workers/torrent-parser/parse.worker.ts', import.meta.url), { type: 'module', name: 'parse' }),
  crashError: (why) => new AppError('BAD_TORRENT', `This .torrent file could not be read: the parser stopped (${why}).`),
  idleMs: PARSE_IDLE_MS,
  fallbackCode: 'BAD_TORRENT',
})

/**
 * The answer for bytes already parsed: the add dialog and then the engine ask about the same
 * file, and the answer's copy onto the main thread is the costly part (160 ms for 100,000 files).
 */
const parsed = new WeakMap<Uint8Array, Promise<Metainfo>>()

/**
 * Parses and validates a .torrent file; throws AppError with a message a user can act on.
 * `signal` stops this caller's wait (the parse itself, shared with other callers of the same
 * bytes and synchronous in the worker, runs to its end).
 */
export function parseTorrentFile(bytes: Uint8Array, signal?: AbortSignal): Promise<Metainfo> {
  let answer = parsed.get(bytes)
  if (!answer) {
    answer = client.call({ type: 'parse', bytes })
    parsed.set(bytes, answer)
    answer.catch(() => parsed.delete(bytes)) // a failure is not kept: the same bytes may be tried again
  }
  return abortable(answer, signal)
}
