import { parseArgs } from 'node:util'
import ipaddr from 'ipaddr.js'
import { DEFAULT_LIMITS, type BridgeLimits } from './api-gateway/limits'
import { ENCRYPTION_MODES, type EncryptionMode } from './peer-connection/mse/peer-crypto'
import type { Resolver } from './api-gateway/checked-address'
import { LOG_LEVELS, type LogLevel } from './log'
import { parseOutgoingInterface, type OutgoingInterface } from './peer-connection/outgoing-interface'
import { isLoopbackHost, parseCidr, type Cidr } from './api-gateway/policy'
import { parseProxyUrl, type ProxyConfig } from './peer-connection/proxy-url'
import {
  DEFAULT_ICE_SERVERS, DEFAULT_TRACKERS, type RuntimeConfig,
} from '../src/protocol/runtime-config'
import { parseTrackerList } from '../src/core/tracker-communication/tracker-list'

export interface ServerOptions {
  port: number
  host: string
  /** Folder of the built app. */
  appDir: string
  runtime: RuntimeConfig
  /** Serve the build's source maps (`--source-maps`); otherwise a request for one gets 404. */
  sourceMaps: boolean
  /** The bridge's structured log (`--log-level`). */
  logLevel: LogLevel
  /** Origins besides the server's own (`--allow-origin`): their hostnames pass the Host check too. */
  allowOrigins: string[]
  /** The `/bridge` WebSocket and what it runs; null turns the bridge off (app only). */
  bridge: BridgeSettings | null
}

export interface BridgeSettings {
  /** Inbound TCP port for peers (0 = any free one) and the address it binds. */
  peerPort: number
  peerHost: string
  /** Destinations allowed beyond the public internet. */
  allowNet: Cidr[]
  /** DHT routers; [] = a DHT of one's own ("none"); null = no DHT node. */
  dhtBootstrap: string[] | null
  dhtPort: number
  /** Local Service Discovery (BEP 14) for public torrents (`--no-lsd` turns it off). */
  lsd: boolean
  /** Ports were left at their defaults: take free ones when those are busy. */
  portFallback: boolean
  token: string | null
  /** Origins besides the server's own that may use the bridge. */
  allowOrigins: string[]
  /** Message Stream Encryption with TCP peers (see mse/peer-crypto.ts). */
  encryption: EncryptionMode
  /** Ask the router to forward the peer and DHT ports (UPnP-IGD, NAT-PMP, PCP: port-mapping/). */
  portMapping: boolean
  limits: BridgeLimits
  /** Tracker name resolution; the system's unless a test stands in for a rebinding DNS server. */
  resolve?: Resolver
  /** The SOCKS5 proxy every outgoing connection goes through (--proxy), or null. */
  proxy: ProxyConfig | null
  /** The interface (name or address) every outgoing socket is bound to (--outgoing-interface), or null. */
  outgoingInterface: OutgoingInterface | null
}

/** The public routers a real user's DHT starts from; tests always pass their own. */
export const DEFAULT_DHT_BOOTSTRAP = ['router.bittorrent.com:6881', 'router.utorrent.com:6881', 'dht.transmissionbt.com:6881']
export const DEFAULT_PEER_PORT = 6881

export const USAGE = `Usage: npm start -- [options]
  --port N               port to serve on (0 = any free port; default 9339)
  --host H               address to bind (default 127.0.0.1)
  --trackers URL,URL     trackers for every torrent: ws:// and wss:// (WebRTC, in the page),
                         http://, https:// and udp:// (through the bridge) (default: public WebSocket ones)
  --ice-servers none|URL,URL   STUN/TURN servers for WebRTC ("none": host candidates only)
  --app-dir DIR          built app to serve (default dist)
  --peer-port N          TCP port peers connect to (0 = any free one; default 6881)
  --peer-host H          address the peer port, the DHT and LSD bind (default ::, every IPv6 and IPv4
                         address; the DHT speaks IPv4 only)
  --allow-net CIDR,CIDR  destinations allowed beyond the public internet (e.g. 192.168.0.0/16)
  --dht-bootstrap none|host:port,...   DHT routers ("none": a DHT of one's own; default: public routers)
  --dht-port N           UDP port of the DHT node (default: the peer port)
  --no-dht               run no DHT node
  --no-lsd               no Local Service Discovery (peers on the local network, BEP 14)
  --encryption prefer|require|off   protocol encryption (MSE/PE) with TCP peers: prefer = an
                         encrypted handshake when the peer can (payload RC4 or plaintext, as the
                         peer picks), plain BitTorrent otherwise; require = RC4 only, both ways;
                         off = plaintext only (default prefer)
  --port-mapping on|off  ask the router (UPnP-IGD, NAT-PMP or PCP) to forward the peer port
                         and the DHT port from the internet, so peers can connect in (default on)
  --token T              pages must present this token (required when --host is not loopback)
  --allow-origin URL,URL other origins whose pages may use the bridge
  --no-bridge            serve the app only
  --limit NAME=N,...     change one of the bridge's caps (README, Security: the list and defaults)
  --proxy socks5://[user:pass@]host:port   every peer connection, tracker request and web seed
                         through this SOCKS5 proxy, and nothing around it (no DHT; host names
                         resolved by the proxy; UDP trackers only if it relays UDP)
  --outgoing-interface NAME|ADDRESS   bind every outgoing socket to this interface's address
                         (e.g. wg0 or 10.8.0.2); when it has none, nothing connects
  --source-maps          serve the build's source maps (.map files; refused otherwise)
  --log-level LEVEL      the bridge's structured log (JSON lines on stdout): fatal, error, warn,
                         info, debug, trace or silent (default info)`

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean)
}

function parseTrackers(value: string): string[] {
  const { trackers, bad } = parseTrackerList(list(value))
  if (bad[0]) throw new Error(`--trackers: "${bad[0].url}" ${bad[0].reason}`)
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

function parsePort(flag: string, value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${flag}: "${value}" is not a port number`)
  return port
}

function parseBootstrap(value: string | undefined): string[] {
  if (value === undefined) return [...DEFAULT_DHT_BOOTSTRAP]
  if (value === 'none') return []
  const nodes = list(value)
  for (const node of nodes) {
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(node)
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`--dht-bootstrap: "${node}" is not host:port`)
  }
  return nodes
}

function parseOrigin(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`--allow-origin: "${value}" is not an origin like http://localhost:5173`)
  }
  if (url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) throw new Error(`--allow-origin: "${value}" is not an origin like http://localhost:5173`)
  return url.origin
}

function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new Error(`--log-level: "${value}" is not one of ${LOG_LEVELS.join(', ')}`)
  return value as LogLevel
}

/** `--limit maxSessions=8,maxPausedMs=2000` over the defaults: known names, whole numbers above 0. */
export function parseLimits(flags: readonly string[]): BridgeLimits {
  const limits = { ...DEFAULT_LIMITS }
  for (const item of flags.flatMap(list)) {
    const m = /^(\w+)=(\d{1,12})$/.exec(item)
    if (!m || !(m[1]! in DEFAULT_LIMITS)) throw new Error(`--limit: "${item}" is not NAME=N with one of: ${Object.keys(DEFAULT_LIMITS).join(', ')}`)
    const n = Number(m[2])
    if (n < 1) throw new Error(`--limit: ${m[1]} must be at least 1`)
    limits[m[1] as keyof BridgeLimits] = n
  }
  return limits
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
      'peer-port': { type: 'string' },
      'peer-host': { type: 'string', default: '::' },
      'allow-net': { type: 'string' },
      'dht-bootstrap': { type: 'string' },
      'dht-port': { type: 'string' },
      'no-dht': { type: 'boolean', default: false },
      'no-lsd': { type: 'boolean', default: false },
      encryption: { type: 'string', default: 'prefer' },
      'port-mapping': { type: 'string', default: 'on' },
      token: { type: 'string' },
      'allow-origin': { type: 'string' },
      'no-bridge': { type: 'boolean', default: false },
      limit: { type: 'string', multiple: true },
      'source-maps': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      proxy: { type: 'string' },
      'outgoing-interface': { type: 'string' },
    },
    strict: true,
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`)
  const token = values.token ?? null
  if (token !== null && token.length < 8) throw new Error('--token: use at least 8 characters')
  if (!values['no-bridge'] && !isLoopbackHost(values.host) && token === null) {
    throw new Error(`--host ${values.host} is reachable from other machines: give the bridge a --token (or --no-bridge)`)
  }
  const encryption = values.encryption as EncryptionMode
  if (!ENCRYPTION_MODES.includes(encryption)) throw new Error(`--encryption: "${values.encryption}" is not one of ${ENCRYPTION_MODES.join(', ')}`)
  const portMapping = values['port-mapping']
  if (portMapping !== 'on' && portMapping !== 'off') throw new Error(`--port-mapping: "${portMapping}" is not on or off`)
  const peerPort = parsePort('--peer-port', values['peer-port'] ?? String(DEFAULT_PEER_PORT))
  const allowOrigins = list(values['allow-origin'] ?? '').map(parseOrigin)
  const peerHost = values['peer-host']
  if (!ipaddr.isValid(peerHost)) throw new Error(`--peer-host: "${peerHost}" is not an IP address`)
  // bittorrent-dht binds udp4 sockets only: `::` gives it 0.0.0.0 (bridge-hub.ts), one IPv6 address nothing
  if (!values['no-dht'] && !values['no-bridge'] && peerHost !== '::' && ipaddr.parse(peerHost).kind() === 'ipv6') {
    throw new Error(`--peer-host ${peerHost}: the DHT node (bittorrent-dht) runs over IPv4 only; give --no-dht, or :: (every address)`)
  }
  if (values['no-bridge'] && (values.proxy !== undefined || values['outgoing-interface'] !== undefined)) {
    throw new Error('--proxy and --outgoing-interface are for the bridge, which --no-bridge turns off')
  }
  const bridge: BridgeSettings | null = values['no-bridge'] ? null : {
    peerPort,
    peerHost,
    allowNet: list(values['allow-net'] ?? '').map(parseCidr),
    dhtBootstrap: values['no-dht'] ? null : parseBootstrap(values['dht-bootstrap']),
    dhtPort: values['dht-port'] !== undefined ? parsePort('--dht-port', values['dht-port']) : peerPort,
    lsd: !values['no-lsd'],
    portFallback: values['peer-port'] === undefined,
    token,
    allowOrigins,
    encryption,
    portMapping: portMapping === 'on',
    limits: parseLimits(values.limit ?? []),
    proxy: values.proxy !== undefined ? parseProxyUrl(values.proxy) : null,
    outgoingInterface: values['outgoing-interface'] !== undefined ? parseOutgoingInterface(values['outgoing-interface']) : null,
  }
  return {
    bridge,
    port,
    host: values.host,
    appDir: values['app-dir'],
    sourceMaps: values['source-maps'],
    logLevel: parseLogLevel(values['log-level']),
    allowOrigins,
    runtime: {
      type: 'runtime-config',
      trackers: values.trackers !== undefined ? parseTrackers(values.trackers) : [...DEFAULT_TRACKERS],
      iceServers: values['ice-servers'] !== undefined ? parseIceServers(values['ice-servers']) : structuredClone(DEFAULT_ICE_SERVERS),
    },
  }
}
