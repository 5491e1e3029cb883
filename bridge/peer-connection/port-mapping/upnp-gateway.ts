/**
 * A UPnP Internet Gateway Device, as the bridge uses it: found by SSDP, its description read for
 * the service that maps ports, then three SOAP actions (AddPortMapping, DeletePortMapping,
 * GetExternalIPAddress). Written here rather than taken from @silentbot1/nat-api or
 * @achingbrain/nat-port-mapper because both read a router's description and answers whole (no
 * size cap) and post to whatever control URL it names, on any host; here each answer is capped
 * and read by igd-xml.ts, and requests go only to the device that answered, at its own address.
 */
import { canonicalHost } from '../../../src/core/peer-address'
import type { MappedProtocol } from '../../../src/core/peer-connection/nat-pmp'
import { MAX_DESCRIPTION_BYTES, MAX_SOAP_BYTES, readDescription, readSoapAnswer, soapRequest, type SoapAnswer, type WanService } from './igd-xml'
import { routerRequest } from './router-http'
import { searchGateways } from './ssdp-search'

const SEARCH_MS = 2500
const REQUEST_MS = 4000

export type UpnpResult = { ok: true } | { ok: false; code: number; reason: string }

export class UpnpGateway {
  private constructor(
    /** The device's address (canonical IP text). */
    readonly address: string,
    /** This machine's address on the way to it: the internal client of every mapping. */
    readonly localAddress: string,
    private readonly service: WanService,
  ) {}

  /** The gateway on this LAN (the default gateway's if it answers), or why there is none to use. */
  static async find(preferred: string | null, signal?: AbortSignal): Promise<UpnpGateway | { reason: string }> {
    const devices = await searchGateways(SEARCH_MS, preferred, signal)
    if (!devices.length) return { reason: 'no UPnP gateway answered' }
    devices.sort((a, b) => Number(b.address === preferred) - Number(a.address === preferred))
    let reason = ''
    for (const device of devices.slice(0, 2)) {
      try {
        const answer = await routerRequest(device.location, { method: 'GET', maxBytes: MAX_DESCRIPTION_BYTES, timeoutMs: REQUEST_MS })
        if (answer.status !== 200) { reason = `the UPnP gateway ${device.address} answered HTTP ${answer.status}`; continue }
        const read = readDescription(answer.text, device.location)
        const local = canonicalHost(answer.localAddress)
        if (!read.ok) { reason = `the UPnP device ${device.address}: ${read.reason}`; continue }
        if (!local) { reason = `no local address towards ${device.address}`; continue }
        return new UpnpGateway(device.address, local, read.service)
      } catch (err) {
        reason = `the UPnP gateway ${device.address} could not be read (${(err as Error).message})`
      }
    }
    return { reason }
  }

  /** Maps external `port` to this machine's `port`, for `leaseSeconds` (0: until removed). */
  async map(protocol: MappedProtocol, port: number, leaseSeconds: number, description: string): Promise<UpnpResult> {
    const answer = await this.call('AddPortMapping', [
      ['NewRemoteHost', ''], ['NewExternalPort', port], ['NewProtocol', protocol.toUpperCase()], ['NewInternalPort', port],
      ['NewInternalClient', this.localAddress], ['NewEnabled', 1], ['NewPortMappingDescription', description], ['NewLeaseDuration', leaseSeconds],
    ])
    return answer.ok ? { ok: true } : answer
  }

  async unmap(protocol: MappedProtocol, port: number): Promise<UpnpResult> {
    const answer = await this.call('DeletePortMapping', [['NewRemoteHost', ''], ['NewExternalPort', port], ['NewProtocol', protocol.toUpperCase()]])
    return answer.ok ? { ok: true } : answer
  }

  /** The router's external address, canonical, or '' when it gives none that is an IP address. */
  async externalAddress(): Promise<string> {
    const answer = await this.call('GetExternalIPAddress', [])
    return answer.ok ? canonicalHost(answer.values['newexternalipaddress']) ?? '' : ''
  }

  private async call(action: string, args: [string, string | number][]): Promise<SoapAnswer> {
    try {
      const answer = await routerRequest(this.service.controlUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${this.service.serviceType}#${action}"` },
        body: soapRequest(this.service.serviceType, action, args),
        maxBytes: MAX_SOAP_BYTES,
        timeoutMs: REQUEST_MS,
      })
      return readSoapAnswer(answer.status, answer.text, action)
    } catch (err) {
      return { ok: false, code: 0, reason: (err as Error).message }
    }
  }
}
