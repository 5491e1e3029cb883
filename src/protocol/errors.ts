/**
 * Error codes shared by every realm. Each error that reaches the user carries one of these
 * codes and a message that says what to do about it.
 */
export type ErrorCode =
  | 'BAD_BENCODE' // the bytes are not valid bencode
  | 'BAD_TORRENT' // valid bencode, but not a valid .torrent (missing or wrongly typed field)
  | 'BAD_PIECES' // piece hashes do not match the total length, or an absurd piece length
  | 'TOO_LARGE' // metadata or a field beyond a sane limit
  | 'BAD_MAGNET' // not a usable magnet link
  | 'BAD_INPUT' // text that is neither a magnet, an info hash nor a torrent URL
  | 'FETCH_FAILED' // a torrent URL could not be fetched (network, CORS, HTTP status)
  | 'DUPLICATE' // the torrent is already in the list
  | 'STORAGE' // the browser's storage failed
  | 'QUOTA' // the browser's storage is full
  | 'RESUME_MISMATCH' // a file on disk is shorter than the resume data says (changed while the app was closed): re-checked, not an error for good
  | 'RESUME_UNCHECKED' // the storage worker no longer holds a trusted resume's sizes to check (its entry closed, or opened again without them): the sizes on disk are read instead, never trusted unchecked
  | 'ENGINE' // the torrent engine reported an error
  | 'UNSUPPORTED' // the browser lacks a feature
  | 'BRIDGE_UNAVAILABLE' // the bridge cannot be reached or refused this page (origin, token)
  | 'BRIDGE_PROTOCOL' // a bridge frame broke the protocol (malformed, oversized, past its credit)
  | 'BRIDGE_REFUSED' // the bridge refused a request by policy (destination, caps, rate)
  | 'PEER_CONNECT' // a peer could not be reached through the bridge
  | 'BAD_PEER_MESSAGE' // a peer sent a malformed or oversized protocol message (never shown: the peer is ignored)

export interface ErrorInfo {
  code: ErrorCode
  message: string
}

/** An error with a code, thrown by pure code and serialised across realms as ErrorInfo. */
export class AppError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'AppError'
    this.code = code
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message }
  }

  static from(err: unknown, fallback: ErrorCode = 'ENGINE'): AppError {
    if (err instanceof AppError) return err
    if (isErrorInfo(err)) return new AppError(err.code, err.message)
    const message = err instanceof Error ? err.message : String(err)
    return new AppError(fallback, message)
  }
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null &&
    typeof (value as ErrorInfo).code === 'string' && typeof (value as ErrorInfo).message === 'string'
}
