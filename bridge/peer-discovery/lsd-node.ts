/**
 * Local Service Discovery (BEP 14) for every page's public torrents: the bridge multicasts, on each
 * local network its peer port is reachable from (local-network.ts), that it has each torrent a
 * page wants (its peer port and info-hash, as libtorrent does: again every LSD_ANNOUNCE_MS), and
 * reports the peers other hosts announce for those torrents (read with limits: lsd-peers.ts). The
 * sockets are bound to the multicast groups themselves, so a datagram sent to this machine's own
 * address (from anywhere on the internet) never reaches them.
 *
 * Our own rather than bittorrent-lsd (webtorrent's): that one opens a socket per torrent (each
 * bound to 6771 gets a copy of every datagram), speaks IPv4 only, picks no interface and no sender
 * network, reads datagrams of any size, and gives every info-hash in one to every torrent's
 * instance. Sockets: dgram, one per address family for all pages.
 */
import { randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import os from 'node:os'
import ipaddr from 'ipaddr.js'
import { formatLsdAnnounce, LSD_GROUP_V4, LSD_GROUP_V6, LSD_PORT } from '../../src/core/peer-discovery/lsd-message'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { lsdNetworks, type Interfaces, type LocalNetwork } from './local-network'
import { LsdPeers } from './lsd-peers'
import { isLoopbackHost } from '../api-gateway/policy'
import { log } from '../log'

/** libtorrent's local_service_announce_interval. */
export const LSD_ANNOUNCE_MS = 5 * 60_000
/** Torrents announced per second, all together (each a datagram per network): a LAN is not flooded when many are added at once. */
const ANNOUNCES_PER_SECOND = 10
/** How often the interfaces are read again (a network that comes up, an address that changes). */
const REFRESH_MS = 30_000
/** One hop: LSD is for the link the bridge is on, and only announces from there are read. */
const MULTICAST_TTL = 1

export interface LsdNodeOptions {
  /** The address the peer port is bound to: which networks can reach it (local-network.ts). */
  peerHost: string
  peerPort: number
  /** A peer LSD found for a wanted torrent: canonical, on a local network, port 1024+. */
  onPeer(infoHash: string, peer: PeerAddress): void
  /** The machine's interfaces (os.networkInterfaces), read at start and every REFRESH_MS. */
  interfaces?: () => Interfaces
  announceMs?: number
}

type Family = 4 | 6

export class LsdNode {
  /** Tells this bridge's own announces, which multicast loops back to it, from other hosts'. */
  private readonly cookie = `tw-${randomBytes(6).toString('hex')}`
  private readonly wanted = new Set<string>()
  /** Torrents to announce next, in order, each once. */
  private readonly queue = new Set<string>()
  private readonly peers = new LsdPeers(this.cookie, (infoHash) => this.wanted.has(infoHash))
  private networks: LocalNetwork[] = []
  /** Group memberships held: `4 address` or `6 interface`. */
  private readonly joined = new Set<string>()
  private readonly timers: NodeJS.Timeout[]
  private pumping = false
  private destroyed = false

  private constructor(private readonly opts: LsdNodeOptions, private readonly sockets: Record<Family, dgram.Socket | null>) {
    for (const socket of Object.values(sockets)) {
      socket?.on('message', (datagram, rinfo) => {
        try {
          for (const { infoHash, peer } of this.peers.receive(datagram, rinfo.address)) opts.onPeer(infoHash, peer)
        } catch (err) {
          log.error({ err }, 'an LSD announce could not be handled')
        }
      })
      socket?.on('error', (err) => log.warn({ err: err.message }, 'LSD socket error'))
    }
    this.refresh()
    this.timers = [
      setInterval(() => this.refresh(), REFRESH_MS),
      setInterval(() => {
        for (const infoHash of this.wanted) this.queue.add(infoHash)
        void this.pump()
      }, opts.announceMs ?? LSD_ANNOUNCE_MS),
    ]
    for (const t of this.timers) t.unref()
  }

  /**
   * Opens the sockets for the families `peerHost` takes peers on; null, with the reason, when LSD
   * cannot run: a loopback peer host (no one to discover), or no socket could bind port 6771.
   */
  static async start(opts: LsdNodeOptions): Promise<{ node: LsdNode } | { node: null; reason: string }> {
    const bound = ipaddr.isValid(opts.peerHost) ? ipaddr.parse(opts.peerHost) : null
    if (!bound) return { node: null, reason: `the peer host ${opts.peerHost} is not an address` }
    if (isLoopbackHost(opts.peerHost)) return { node: null, reason: 'peers connect on loopback only' }
    const families: Family[] = bound.kind() === 'ipv4' ? [4] : bound.toNormalizedString() === '0:0:0:0:0:0:0:0' ? [4, 6] : [6]
    const sockets: Record<Family, dgram.Socket | null> = { 4: null, 6: null }
    const failures: string[] = []
    for (const family of families) {
      try {
        sockets[family] = await bindGroup(family)
      } catch (err) {
        failures.push(`IPv${family}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
      }
    }
    if (!sockets[4] && !sockets[6]) return { node: null, reason: `cannot bind UDP port ${LSD_PORT} (${failures.join(', ')})` }
    return { node: new LsdNode(opts, sockets) }
  }

  /** Starts announcing `infoHash` and reporting its LSD peers, until `forget`. */
  want(infoHash: string): void {
    if (this.wanted.has(infoHash)) return
    this.wanted.add(infoHash)
    this.queue.add(infoHash)
    void this.pump()
  }

  forget(infoHash: string): void {
    this.wanted.delete(infoHash)
    this.queue.delete(infoHash)
  }

  /** Whether a page may dial `peer` for `infoHash` though the destination policy refuses it: LSD announced it lately, and it is still on a local network. */
  mayDial(infoHash: string, peer: PeerAddress): boolean {
    return this.peers.mayDial(infoHash, peer)
  }

  destroy(): Promise<void> {
    this.destroyed = true
    for (const t of this.timers) clearInterval(t)
    this.queue.clear()
    return Promise.all(Object.values(this.sockets).map((s) => s && new Promise<void>((resolve) => s.close(() => resolve())))).then(() => {})
  }

  /** Reads the interfaces again; joins the group on networks that came, leaves those gone. */
  private refresh(): void {
    this.networks = lsdNetworks((this.opts.interfaces ?? os.networkInterfaces)(), this.opts.peerHost)
      .filter((n) => this.sockets[n.family] !== null)
    this.peers.setNetworks(this.networks)
    const keys = new Set(this.networks.map(membershipKey))
    for (const key of this.joined) {
      if (keys.has(key)) continue
      this.joined.delete(key)
      try {
        this.membership(key, false)
      } catch {
        // the interface is gone, and its membership with it
      }
    }
    for (const key of keys) {
      if (this.joined.has(key)) continue
      try {
        this.membership(key, true)
        this.joined.add(key)
      } catch (err) {
        // EADDRINUSE: joined already (two addresses of one interface); other errors: tried again at the next refresh
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') this.joined.add(key)
      }
    }
  }

  private membership(key: string, join: boolean): void {
    const [family, where] = key.split(' ') as [string, string]
    const socket = this.sockets[family === '4' ? 4 : 6]
    if (!socket) return
    const group = family === '4' ? LSD_GROUP_V4 : LSD_GROUP_V6
    const iface = family === '4' ? where : `::%${where}`
    if (join) socket.addMembership(group, iface)
    else socket.dropMembership(group, iface)
  }

  /** Sends the queued announces, ANNOUNCES_PER_SECOND at most, one network at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (!this.destroyed && this.queue.size) {
        const infoHash = this.queue.values().next().value!
        this.queue.delete(infoHash)
        const sent = new Set<string>()
        for (const network of this.networks) {
          const key = membershipKey(network)
          if (sent.has(key)) continue // one datagram an IPv6 interface, whatever its addresses
          sent.add(key)
          await this.send(network, infoHash)
        }
        await new Promise((resolve) => setTimeout(resolve, 1000 / ANNOUNCES_PER_SECOND).unref())
      }
    } finally {
      this.pumping = false
    }
  }

  /**
   * One announce out of one network. The outgoing interface is the socket's, and dgram sends on a
   * later tick: the next network's is set only once this datagram has gone.
   */
  private send(network: LocalNetwork, infoHash: string): Promise<void> {
    const socket = this.sockets[network.family]
    if (!socket || this.destroyed) return Promise.resolve()
    return new Promise((resolve) => {
      try {
        socket.setMulticastInterface(network.family === 4 ? network.address : `::%${network.interface}`)
        const group = network.family === 4 ? LSD_GROUP_V4 : LSD_GROUP_V6
        socket.send(formatLsdAnnounce(network.family, this.opts.peerPort, infoHash, this.cookie), LSD_PORT, group, () => resolve())
      } catch {
        resolve() // the interface went away since the last refresh
      }
    })
  }
}

function membershipKey(n: LocalNetwork): string {
  return n.family === 4 ? `4 ${n.address}` : `6 ${n.interface}`
}

/**
 * A socket on port 6771 bound to the LSD group itself (so only datagrams sent to the group reach
 * it), shared with other LSD clients on this machine (SO_REUSEADDR, as libtorrent does).
 */
function bindGroup(family: Family): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6', reuseAddr: true })
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close()
      reject(err)
    })
    socket.bind(LSD_PORT, family === 4 ? LSD_GROUP_V4 : LSD_GROUP_V6, () => {
      socket.removeAllListeners('error')
      socket.setMulticastTTL(MULTICAST_TTL)
      socket.setMulticastLoopback(true) // another client on this machine is a peer too
      resolve(socket)
    })
  })
}
