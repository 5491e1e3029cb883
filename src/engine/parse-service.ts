import type { Metainfo } from '../core/metainfo'
import type { ParseResponse } from '../protocol/parse-messages'
import { ParseClient } from './parse-client'

/**
 * Every .torrent is parsed in the parse worker, whatever its size (issue 13: the page never
 * freezes on input): a file's size says little about its cost (a 195 KiB name took 39 s to
 * sanitise in Node 20 before that was fixed), and the round trip costs little. Measured in
 * Chromium 156 for a 270-byte torrent: about 0.1 ms once the worker runs; the first call waits
 * about 90 ms while the worker starts, off the main thread.
 */
const client = new ParseClient((events) => {
  const worker = new Worker(new URL('../workers/parse.worker.ts', import.meta.url), { type: 'module', name: 'parse' })
  worker.onmessage = (event: MessageEvent<ParseResponse>) => events.message(event.data)
  worker.onerror = (event) => {
    event.preventDefault() // handled: the calls fail with a message, not also an uncaught error
    events.failed(event.message || 'an error in the parse worker')
  }
  worker.onmessageerror = () => events.failed('its answer could not be read')
  return worker
})

/**
 * The answer for bytes already parsed: the add dialog and then the engine ask about the same
 * file, and the answer's copy onto the main thread is the costly part (160 ms for 100,000 files).
 */
const parsed = new WeakMap<Uint8Array, Promise<Metainfo>>()

/** Parses and validates a .torrent file; throws AppError with a message a user can act on. */
export function parseTorrentFile(bytes: Uint8Array): Promise<Metainfo> {
  let answer = parsed.get(bytes)
  if (!answer) {
    answer = client.parse(bytes)
    parsed.set(bytes, answer)
    answer.catch(() => parsed.delete(bytes)) // a failure is not kept: the same bytes may be tried again
  }
  return answer
}
