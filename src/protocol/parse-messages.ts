import type { Metainfo } from './metainfo'
import type { ErrorInfo } from './errors'

/** Messages to and from the parse worker. */
export type ParseRequest = { type: 'parse'; id: number; bytes: Uint8Array }
export type ParseResponse =
  | { type: 'parsed'; id: number; metainfo: Metainfo }
  | { type: 'fail'; id: number; error: ErrorInfo }
