import { parseArgs } from 'node:util'
import {
  DEFAULT_ICE_SERVERS, DEFAULT_TRACKERS, type RuntimeConfig,
} from '../src/protocol/runtime-config'

export interface ServerOptions {
  port: number
  host: string
  /** Folder of the built app. */
  appDir: string
  runtime: RuntimeConfig
}

export const USAGE = `Usage: npm start -- [options]
  --port N               port to serve on (0 = any free port; default 9339)
  --host H               address to bind (default 127.0.0.1)
  --trackers URL,URL     WebSocket trackers for every torrent (default: public ones)
  --ice-servers none|URL,URL   STUN/TURN servers for WebRTC ("none": host candidates only)
  --app-dir DIR          built app to serve (default dist)`

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean)
}

function parseTrackers(value: string): string[] {
  const trackers = list(value)
  for (const url of trackers) {
    if (!/^wss?:\/\/[^/\s]+/i.test(url)) throw new Error(`--trackers: "${url}" is not a ws:// or wss:// URL`)
  }
  return trackers
}

function parseIceServers(value: string): RuntimeConfig['iceServers'] {
  if (value === 'none') return []
  const urls = list(value)
  for (const url of urls) {
    if (!/^(stun|stuns|turn|turns):/i.test(url)) throw new Error(`--ice-servers: "${url}" is not a stun: or turn: URL`)
  }
  return urls.length ? [{ urls }] : []
}

/** Pure: command-line arguments to server options; throws Error with a usable message. */
export function parseOptions(argv: string[]): ServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '9339' },
      host: { type: 'string', default: '127.0.0.1' },
      trackers: { type: 'string' },
      'ice-servers': { type: 'string' },
      'app-dir': { type: 'string', default: 'dist' },
    },
    strict: true,
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`)
  return {
    port,
    host: values.host,
    appDir: values['app-dir'],
    runtime: {
      type: 'runtime-config',
      trackers: values.trackers !== undefined ? parseTrackers(values.trackers) : [...DEFAULT_TRACKERS],
      iceServers: values['ice-servers'] !== undefined ? parseIceServers(values['ice-servers']) : structuredClone(DEFAULT_ICE_SERVERS),
    },
  }
}
