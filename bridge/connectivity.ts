/**
 * The bridge's connectivity as pages see it (STATUS frames): its port mapping, DHT nodes, LSD,
 * proxy and IPv6. Sent to each page after WELCOME, and to every page again when any of it changed:
 * the port mapper says so at once; the DHT's node count is looked at every few seconds, so a
 * table that fills node by node costs a frame per look, not one per node.
 */
import { encodeFrame } from '../src/core/api-gateway/bridge-codec'
import { FrameType, type PortMappingStatus, type StatusFrame } from '../src/protocol/bridge-frames'
import { OFF, PortMapper } from './peer-connection/port-mapping/port-mapper'
import { isLoopbackHost } from './api-gateway/policy'

const POLL_MS = 5000
const PROTOCOL_NAMES = { upnp: 'UPnP', natpmp: 'NAT-PMP', pcp: 'PCP', '': '' }

/** The port mapping in a line, for the console (the page words it in its Connectivity panel). */
export function portMappingText(m: PortMappingStatus): string {
  const why = m.message ? ` (${m.message})` : ''
  switch (m.state) {
    case 'off': return m.message || 'off'
    case 'mapping': return `asking the router${m.gateway ? ` at ${m.gateway}` : ''}…`
    case 'failed': return `failed: ${m.message}`
    case 'mapped': return `reachable from the internet at ${m.externalHost ? `${m.externalHost}:${m.externalPort}` : 'an unknown address'}, through ${PROTOCOL_NAMES[m.protocol]} on ${m.gateway}${why}`
  }
}

export interface ConnectivityOptions {
  portMapping: boolean
  /** The address the peer port listens on: a loopback one cannot be forwarded to. */
  peerHost: string
  tcpPort: number
  udpPort: number | null
  /** The rest of the frame, from the hub (DHT node count, LSD, proxy, IPv6). */
  others(): Omit<StatusFrame, 'type' | 'portMapping'>
  broadcast(frame: StatusFrame): void
}

export class Connectivity {
  private readonly mapper: PortMapper | null = null
  private mapping: PortMappingStatus
  private last: Uint8Array | null = null
  private readonly poll: NodeJS.Timeout
  /** Told of each new port mapping state (the console's log). */
  private readonly watchers = new Set<(status: PortMappingStatus) => void>()

  constructor(private readonly opts: ConnectivityOptions) {
    if (!opts.portMapping) this.mapping = { ...OFF, message: 'port mapping is turned off (--port-mapping off)' }
    else if (isLoopbackHost(opts.peerHost)) this.mapping = { ...OFF, message: `the peer port listens on ${opts.peerHost} only (--peer-host)` }
    else {
      this.mapper = new PortMapper({
        tcpPort: opts.tcpPort,
        udpPort: opts.udpPort,
        onChange: (status) => {
          this.mapping = status
          for (const watch of this.watchers) watch(status)
          this.changed()
        },
      })
      this.mapping = this.mapper.status
      this.mapper.start()
    }
    this.last = encodeFrame(this.frame())
    this.poll = setInterval(() => this.changed(), POLL_MS)
    this.poll.unref()
  }

  get portMapping(): PortMappingStatus { return this.mapping }

  onPortMapping(watch: (status: PortMappingStatus) => void): void {
    this.watchers.add(watch)
  }

  frame(): StatusFrame {
    return { type: FrameType.Status, portMapping: this.mapping, ...this.opts.others() }
  }

  /** Sends the frame to every page if it is not the one they have. */
  changed(): void {
    const frame = this.frame()
    const bytes = encodeFrame(frame)
    if (this.last && Buffer.compare(bytes, this.last) === 0) return
    this.last = bytes
    this.opts.broadcast(frame)
  }

  /** Removes the router's mappings (bounded in time). */
  async close(): Promise<void> {
    clearInterval(this.poll)
    await this.mapper?.close()
  }
}
