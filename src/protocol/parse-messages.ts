import type { Metainfo } from './metainfo'

/** A call to the parse worker (inside the RPC envelope, rpc-messages.ts): parse and validate a .torrent file. */
export type ParseRequest = { type: 'parse'; bytes: Uint8Array }
export type ParseReply = Metainfo
