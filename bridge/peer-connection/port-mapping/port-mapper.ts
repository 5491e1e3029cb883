/**
 * Port mapping: asks the home router to forward the bridge's peer port (TCP) and its DHT port
 * (UDP) from the internet, so that peers can connect in. PCP or NAT-PMP at the default gateway
 * first (one round trip), UPnP-IGD next; the mapping is renewed at half its lifetime, made again
 * from scratch when a renewal fails, retried later when nothing worked, and removed on close.
 * Its state, in words, is what the page's Connectivity panel shows.
 */
import type { PortMappingStatus } from '../../../src/protocol/bridge-frames'
import type { MappedProtocol } from '../../../src/core/peer-connection/nat-pmp'
import ipaddr from 'ipaddr.js'
import { PmpGateway } from './pmp-gateway'
import { defaultGateway, hasNetwork } from './router-address'
import { UpnpGateway } from './upnp-gateway'

/** Lifetime asked for: two hours, renewed after one (RFC 6886 §3.3 recommends 7200 s). */
const LIFETIME_S = 7200
/** After a failure, tries again after 1, 2, 4 … minutes up to half an hour (a router may be rebooting). */
const RETRY_MIN_MS = 60_000
const RETRY_MAX_MS = 30 * 60_000
/** Removing the mappings on close takes at most this long (a router gone must not hold up the exit). */
const CLOSE_MS = 3000
const DESCRIPTION = 'Torrent Web bridge'

export interface PortMapperOptions {
  /** The peer port (TCP) and the DHT's (UDP, null when the bridge runs no DHT). */
  tcpPort: number
  udpPort: number | null
  /** Called with each new state. */
  onChange(status: PortMappingStatus): void
}

type Mapped =
  | { kind: 'pmp'; gateway: PmpGateway; ports: [MappedProtocol, number][] }
  | { kind: 'upnp'; gateway: UpnpGateway; ports: [MappedProtocol, number][] }

/** A public unicast address (not private, carrier-grade NAT, reserved …): peers on the internet can reach it. */
function isPublicAddress(host: string): boolean {
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'unicast'
}

export const OFF: PortMappingStatus = { state: 'off', protocol: '', gateway: '', externalHost: '', externalPort: 0, message: '' }

export class PortMapper {
  private current: PortMappingStatus = { ...OFF, state: 'mapping' }
  private mapped: Mapped | null = null
  private timer: NodeJS.Timeout | null = null
  private failures = 0
  private closed = false
  private running: Promise<void> = Promise.resolve()

  constructor(private readonly opts: PortMapperOptions) {}

  get status(): PortMappingStatus { return this.current }

  start(): void {
    this.schedule(0)
  }

  /** Removes what was mapped (bounded in time) and stops. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    // a search under way (SSDP waits 2.5 s, a silent router 3.5 s) is not waited for long: what it
    // maps after this, it removes itself, as it finds the mapper closed
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, CLOSE_MS).unref())])
    const mapped = this.mapped
    this.mapped = null
    if (!mapped) return
    const removals = mapped.ports.map(([protocol, port]) => mapped.kind === 'pmp' ? mapped.gateway.map(protocol, port, 0) : mapped.gateway.unmap(protocol, port))
    await Promise.race([Promise.allSettled(removals), new Promise((resolve) => setTimeout(resolve, CLOSE_MS).unref())])
    if (mapped.kind === 'pmp') mapped.gateway.close()
  }

  private schedule(ms: number): void {
    if (this.closed) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.running = (this.mapped ? this.renew(this.mapped) : this.map()).catch((err: Error) => this.fail(`port mapping failed: ${err.message}`))
    }, ms)
    this.timer.unref()
  }

  private set(status: PortMappingStatus): void {
    this.current = status
    if (!this.closed) this.opts.onChange(status)
  }

  private fail(message: string): void {
    this.set({ ...OFF, state: 'failed', gateway: this.current.gateway, message })
    this.failures++
    this.schedule(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1)))
  }

  private wanted(): [MappedProtocol, number][] {
    return this.opts.udpPort === null ? [['tcp', this.opts.tcpPort]] : [['tcp', this.opts.tcpPort], ['udp', this.opts.udpPort]]
  }

  /** Finds a way to map, maps every port, learns the external address. */
  private async map(): Promise<void> {
    if (this.current.state !== 'mapping') this.set({ ...OFF, state: 'mapping' })
    if (!hasNetwork()) return this.fail('this machine has no network but loopback')
    const gateway = await defaultGateway()
    const why: string[] = []
    if (gateway && !this.closed) {
      this.set({ ...OFF, state: 'mapping', gateway })
      const pmp = await this.mapByPmp(gateway, why)
      if (pmp) return
    } else if (!gateway) why.push('no default gateway')
    if (this.closed) return
    const upnp = await UpnpGateway.find(gateway)
    if ('reason' in upnp) why.push(upnp.reason)
    else if (await this.mapByUpnp(upnp, why)) return
    if (!this.closed) this.fail(why.join('; '))
  }

  private async mapByPmp(address: string, why: string[]): Promise<boolean> {
    let gateway: PmpGateway
    try {
      gateway = await PmpGateway.open(address)
    } catch (err) {
      why.push(`NAT-PMP: ${(err as Error).message}`)
      return false
    }
    let externalHost = ''
    let externalPort = 0
    const done: [MappedProtocol, number][] = []
    for (const [protocol, port] of this.wanted()) {
      const result = await gateway.map(protocol, port, LIFETIME_S)
      if (!result.ok) {
        why.push(result.reason)
        break
      }
      done.push([protocol, port])
      externalHost ||= result.answer.externalHost
      if (protocol === 'tcp') externalPort = result.answer.externalPort
      this.renewIn(result.answer.lifetime)
    }
    if (!done.length || this.closed) {
      if (done.length) await Promise.allSettled(done.map(([protocol, port]) => gateway.map(protocol, port, 0)))
      gateway.close()
      return false
    }
    if (!externalHost) externalHost = await gateway.externalAddress()
    this.mapped = { kind: 'pmp', gateway, ports: done }
    this.succeed(gateway.protocol === 'pcp' ? 'pcp' : 'natpmp', address, externalHost, externalPort, done)
    return true
  }

  private async mapByUpnp(gateway: UpnpGateway, why: string[]): Promise<boolean> {
    const done: [MappedProtocol, number][] = []
    let lease = LIFETIME_S
    for (const [protocol, port] of this.wanted()) {
      let result = await gateway.map(protocol, port, lease, DESCRIPTION)
      // an IGD:1 router may take permanent mappings only (error 725): those are removed on close
      if (!result.ok && result.code === 725) result = await gateway.map(protocol, port, lease = 0, DESCRIPTION)
      if (!result.ok) {
        why.push(`UPnP at ${gateway.address}: ${result.reason}`)
        break
      }
      done.push([protocol, port])
    }
    if (!done.length || this.closed) {
      await Promise.allSettled(done.map(([protocol, port]) => gateway.unmap(protocol, port)))
      return false
    }
    this.mapped = { kind: 'upnp', gateway, ports: done }
    if (lease) this.renewIn(lease)
    this.succeed('upnp', gateway.address, await gateway.externalAddress(), this.opts.tcpPort, done)
    return true
  }

  private succeed(protocol: PortMappingStatus['protocol'], gateway: string, externalHost: string, externalPort: number, done: [MappedProtocol, number][]): void {
    this.failures = 0
    const notes: string[] = []
    if (!done.some(([p]) => p === 'tcp')) notes.push('the peer port (TCP) is not mapped')
    if (this.opts.udpPort !== null && !done.some(([p]) => p === 'udp')) notes.push('the DHT port (UDP) is not mapped')
    if (externalPort && externalPort !== this.opts.tcpPort) notes.push(`the router forwards its port ${externalPort}, not ${this.opts.tcpPort}`)
    if (externalHost && !isPublicAddress(externalHost)) notes.push(`the router's own address ${externalHost} is not public: another NAT (carrier-grade?) stands between it and the internet`)
    if (!externalHost) notes.push('the router did not say its external address')
    this.set({ state: 'mapped', protocol, gateway, externalHost, externalPort: externalHost ? externalPort : 0, message: notes.join('; ') })
  }

  /** Renews at half the lifetime the router granted (and no later than ours). */
  private renewIn(lifetimeS: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.schedule(Math.max(30, Math.min(lifetimeS, LIFETIME_S) / 2) * 1000)
  }

  private async renew(mapped: Mapped): Promise<void> {
    let lifetime = LIFETIME_S
    for (const [protocol, port] of mapped.ports) {
      let result: { ok: boolean }
      if (mapped.kind === 'pmp') {
        const pmp = await mapped.gateway.map(protocol, port, LIFETIME_S)
        if (pmp.ok) lifetime = Math.min(lifetime, pmp.answer.lifetime)
        result = pmp
      } else {
        result = await mapped.gateway.map(protocol, port, LIFETIME_S, DESCRIPTION)
      }
      if (this.closed) return
      if (!result.ok) {
        // the router forgot us or changed: start over (the old mapping is dropped, not removed)
        if (mapped.kind === 'pmp') mapped.gateway.close()
        this.mapped = null
        return this.map()
      }
    }
    this.renewIn(lifetime)
  }
}
