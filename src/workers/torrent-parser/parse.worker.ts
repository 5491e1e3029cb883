/// <reference lib="webworker" />
/** Parses .torrent files off the main thread (engine/torrent-parser/parse-service.ts). */
import { parseTorrent } from '../../core/torrent-parser/metainfo'
import { serveRpc } from '../../core/rpc-server'
import { AppError } from '../../protocol/errors'
import type { ParseReply, ParseRequest } from '../../protocol/parse-messages'

declare const self: DedicatedWorkerGlobalScope

serveRpc<ParseRequest, ParseReply>(self, (request) => parseTorrent(request.bytes), {
  toError: (err) => AppError.from(err, 'BAD_TORRENT'),
})
