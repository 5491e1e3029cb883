/**
 * The bridge's structured log: one JSON line per event (pino), to stdout, at `--log-level`
 * (info by default from the command line; warn for a bridge started in-process, as tests do).
 * What never goes in a line: tokens (the WebSocket URL's query is never logged), peer or tracker
 * payloads, file names. Sessions are named by a short id (`sid`), torrents by their info-hash only
 * at debug level.
 */
import pino, { type Logger } from 'pino'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export const log: Logger = pino({
  level: 'warn',
  base: { app: 'torrent-web-bridge' },
  // a token in a reason or an error message must not reach the log
  redact: { paths: ['token', '*.token', 'headers.authorization', 'url'], censor: '[hidden]' },
  timestamp: pino.stdTimeFunctions.isoTime,
})

export function setLogLevel(level: LogLevel): void {
  log.level = level
}

let nextSession = 1
/** A short id for a page's session, unique in this process: what log lines name it by. */
export function sessionId(): string {
  return `s${(nextSession++).toString(36)}`
}
