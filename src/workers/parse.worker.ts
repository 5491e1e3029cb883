/// <reference lib="webworker" />
/** Parses large .torrent files off the main thread. */
import { parseTorrent } from '../core/metainfo'
import { AppError } from '../protocol/errors'
import type { ParseRequest, ParseResponse } from '../protocol/parse-messages'

declare const self: DedicatedWorkerGlobalScope

self.onmessage = async (event: MessageEvent<ParseRequest>) => {
  const { id, bytes } = event.data
  let response: ParseResponse
  try {
    response = { type: 'parsed', id, metainfo: await parseTorrent(bytes) }
  } catch (err) {
    response = { type: 'fail', id, error: AppError.from(err, 'BAD_TORRENT').toInfo() }
  }
  self.postMessage(response)
}
