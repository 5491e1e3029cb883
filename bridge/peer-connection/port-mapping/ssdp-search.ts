/**
 * SSDP: asks the LAN which devices are internet gateways (multicast M-SEARCH to
 * 239.255.255.250:1900) and collects the description URLs of those that answer within the wait,
 * each from a device on one of this machine's networks, describing itself (igd-xml.ts).
 */
import dgram from 'node:dgram'
import { MAX_SSDP_BYTES, mSearch, ssdpLocation } from './igd-xml'
import { onLocalNetwork } from './router-address'

const SSDP_ADDRESS = '239.255.255.250'
const SSDP_PORT = 1900
/** Gateway device types asked for: IGD:1 (every IGD:2 answers it too) and IGD:2. */
const SEARCH_TARGETS = ['urn:schemas-upnp-org:device:InternetGatewayDevice:1', 'urn:schemas-upnp-org:device:InternetGatewayDevice:2']
/** Answers read in one search (a LAN full of media servers answers too, and is not read on). */
const MAX_ANSWERS = 32
/** Devices kept: a home has one gateway; a few more tolerate a stray one that fails. */
const MAX_DEVICES = 4

export interface FoundDevice {
  /** The address that answered, canonical. */
  address: string
  location: URL
}

/**
 * Searches for `waitMs` (datagrams sent twice, as UDP may lose one); resolves with the devices
 * found, the first first, or as soon as `preferred` (the default gateway) answered.
 */
export function searchGateways(waitMs: number, preferred: string | null, signal?: AbortSignal): Promise<FoundDevice[]> {
  return new Promise((resolve) => {
    const found: FoundDevice[] = []
    let answers = 0
    const socket = dgram.createSocket({ type: 'udp4' })
    const finish = () => {
      clearTimeout(timer)
      clearTimeout(again)
      signal?.removeEventListener('abort', finish)
      try { socket.close() } catch {}
      resolve(found)
    }
    const timer = setTimeout(finish, waitMs)
    const send = () => {
      for (const target of SEARCH_TARGETS) socket.send(mSearch(target), SSDP_PORT, SSDP_ADDRESS, () => {})
    }
    const again = setTimeout(send, Math.min(500, waitMs / 3))
    signal?.addEventListener('abort', finish, { once: true })
    socket.on('error', finish)
    socket.on('message', (msg, rinfo) => {
      if (++answers > MAX_ANSWERS) return finish()
      const location = ssdpLocation(msg.subarray(0, MAX_SSDP_BYTES).toString('latin1'), rinfo.address)
      if (!location || !onLocalNetwork(rinfo.address)) return
      if (found.some((d) => d.location.href === location.href)) return
      found.push({ address: location.hostname, location })
      if (found.length >= MAX_DEVICES || location.hostname === preferred) finish()
    })
    socket.bind(0, () => {
      socket.setMulticastTTL(2)
      send()
    })
  })
}
