// Local Service Discovery's networks and its one exception to the destination policy
// (bridge/peer-discovery/local-network.ts), and the options that govern LSD and the peer port's address family.
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, expect, it } from 'vitest'
import { checkLanPeer, lsdNetworks, onLocalNetwork, type Interfaces } from '../../bridge/peer-discovery/local-network'
import { parseOptions } from '../../bridge/options'
import { checkPeerDestination } from '../../bridge/api-gateway/policy'

const v4 = (address: string, cidr: string, internal = false): NetworkInterfaceInfo =>
  ({ address, netmask: '', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr })
const v6 = (address: string, cidr: string, internal = false): NetworkInterfaceInfo =>
  ({ address, netmask: '', family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr, scopeid: 0 })

const MACHINE: Interfaces = {
  lo: [v4('127.0.0.1', '127.0.0.1/8', true), v6('::1', '::1/128', true)],
  eth0: [v4('192.168.1.20', '192.168.1.20/24'), v6('fd00:1::20', 'fd00:1::20/64'), v6('fe80::1234', 'fe80::1234/64')],
  wg0: [v4('10.8.0.2', '10.8.0.2/32')],
}
const names = (host: string) => lsdNetworks(MACHINE, host).map((n) => `${n.interface} ${n.address}/${n.subnet[1]}`)

describe('lsdNetworks', () => {
  it('a wildcard peer host: every interface but loopback, IPv4 only for 0.0.0.0, both for ::; never IPv6 link-local', () => {
    expect(names('0.0.0.0')).toEqual(['eth0 192.168.1.20/24', 'wg0 10.8.0.2/32'])
    expect(names('::')).toEqual(['eth0 192.168.1.20/24', 'eth0 fd00:1::20/64', 'wg0 10.8.0.2/32'])
  })

  it('one address: the network that holds it; loopback or an address of no interface: none', () => {
    expect(names('192.168.1.20')).toEqual(['eth0 192.168.1.20/24'])
    expect(names('fd00:1:0::20')).toEqual(['eth0 fd00:1::20/64'])
    expect(names('127.0.0.1')).toEqual([])
    expect(names('::1')).toEqual([])
    expect(names('192.168.1.99')).toEqual([])
    expect(names('not-an-address')).toEqual([])
  })

  it('reads the prefix from the netmask when there is no cidr', () => {
    const nets = lsdNetworks({ eth1: [{ ...v4('172.16.5.5', ''), netmask: '255.255.0.0', cidr: null }] }, '0.0.0.0')
    expect(nets.map((n) => n.subnet[1])).toEqual([16])
  })
})

describe('checkLanPeer: an LSD peer the destination policy refuses', () => {
  const nets = lsdNetworks(MACHINE, '::')

  it('is dialable on a local subnet at a port of 1024 or above, and nowhere else', () => {
    expect(checkPeerDestination('192.168.1.33', 51413, []).ok).toBe(false) // what the policy says without LSD
    expect(checkLanPeer('192.168.1.33', 51413, nets).ok).toBe(true)
    expect(checkLanPeer('fd00:1::33', 6881, nets).ok).toBe(true)
    expect(checkLanPeer('::ffff:192.168.1.33', 6881, nets).ok).toBe(true)
    expect(checkLanPeer('192.168.1.20', 6881, nets).ok).toBe(true) // another client on this machine
    expect(checkLanPeer('192.168.1.33', 80, nets)).toEqual({ ok: false, reason: 'port 80 is below 1024 (system services)' })
    for (const host of ['192.168.2.1', '10.8.0.1', '127.0.0.1', '::1', 'fe80::1', 'fd00:2::1', '169.254.169.254', '8.8.8.8']) {
      expect(checkLanPeer(host, 6881, nets).ok, host).toBe(false)
    }
  })

  it('no networks, no exception', () => {
    expect(onLocalNetwork('192.168.1.33', [])).toBe(false)
    expect(checkLanPeer('192.168.1.33', 6881, lsdNetworks(MACHINE, '127.0.0.1')).ok).toBe(false)
  })
})

describe('options: the peer host, LSD and the DHT', () => {
  it('listens on :: (IPv6 and IPv4) by default, with LSD; --no-lsd turns it off', () => {
    const bridge = parseOptions([]).bridge!
    expect(bridge.peerHost).toBe('::')
    expect(bridge.lsd).toBe(true)
    expect(parseOptions(['--no-lsd']).bridge!.lsd).toBe(false)
  })

  it('an IPv6 peer host other than :: needs --no-dht (bittorrent-dht speaks IPv4 only); a name is no address', () => {
    expect(() => parseOptions(['--peer-host', '::1'])).toThrow('--peer-host ::1: the DHT node (bittorrent-dht) runs over IPv4 only; give --no-dht, or :: (every address)')
    expect(parseOptions(['--peer-host', '::1', '--no-dht']).bridge!.peerHost).toBe('::1')
    expect(parseOptions(['--peer-host', '192.168.1.20']).bridge!.peerHost).toBe('192.168.1.20')
    expect(() => parseOptions(['--peer-host', 'localhost'])).toThrow('--peer-host: "localhost" is not an IP address')
  })
})
