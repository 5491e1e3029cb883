// The pure parts of --proxy and --outgoing-interface: parsing the options, picking the address to
// bind, the words for what a SOCKS5 proxy said, the relay's datagrams read without trusting them,
// and what the app says of the bridge's route.
import { SocksClient } from 'socks'
import { describe, expect, it } from 'vitest'
import { parseOptions } from '../../bridge/options'
import { bindAddress, parseOutgoingInterface, type InterfaceTable } from '../../bridge/peer-connection/outgoing-interface'
import { parseProxyUrl } from '../../bridge/peer-connection/proxy-url'
import { proxyUnreachable, socksFailure, udpRefused } from '../../bridge/peer-connection/socks-failure'
import { parseDatagram } from '../../bridge/peer-connection/socks-udp'
import type { BridgeStatus } from '../../src/protocol/engine-events'
import { reachLost, reachText } from '../../src/ui/reach-text'

describe('--proxy', () => {
  it('reads socks5:// and socks5h:// URLs, with or without a login, and never shows the login', () => {
    expect(parseProxyUrl('socks5://127.0.0.1:1080')).toEqual({ host: '127.0.0.1', port: 1080, display: 'socks5://127.0.0.1:1080' })
    expect(parseProxyUrl('socks5h://proxy.lan')).toEqual({ host: 'proxy.lan', port: 1080, display: 'socks5://proxy.lan:1080' })
    expect(parseProxyUrl('socks5://[::1]:9050/')).toEqual({ host: '::1', port: 9050, display: 'socks5://[::1]:9050' })
    expect(parseProxyUrl('socks5://me%40home:p%3Ass%20w@10.0.0.1:1080')).toEqual({
      host: '10.0.0.1', port: 1080, userId: 'me@home', password: 'p:ss w', display: 'socks5://10.0.0.1:1080',
    })
    expect(parseProxyUrl('socks5://user@h:1')).toMatchObject({ userId: 'user', password: '' })
  })

  it('refuses what is not a SOCKS5 proxy URL, with the reason and without the password', () => {
    expect(() => parseProxyUrl('http://127.0.0.1:8080')).toThrow('--proxy: "http://127.0.0.1:8080" is a http proxy, and the bridge speaks SOCKS5 only; use socks5://[user:password@]host:port')
    expect(() => parseProxyUrl('socks4://h:1080')).toThrow(/socks4 proxy/)
    expect(() => parseProxyUrl('127.0.0.1:1080')).toThrow(/is a 127\.0\.0\.1 proxy|is not a URL/)
    expect(() => parseProxyUrl('socks5://h:1080/path')).toThrow(/more than a host and a port/)
    expect(() => parseProxyUrl('socks5://h:0')).toThrow(/port 0/)
    expect(() => parseProxyUrl('socks5://:secret@h:1')).toThrow(/password but no user name/)
    expect(() => parseProxyUrl(`socks5://${'u'.repeat(256)}:p@h:1`)).toThrow(/over 255 bytes/)
    expect(() => parseProxyUrl('socks5://u:%E0%A4%A@h:1')).toThrow(/percent-encoded/)
    // the password is not echoed back into a log or a terminal
    try {
      parseProxyUrl('socks5://u:hunter2@h:1/x')
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2')
    }
  })

  it('is a bridge option, beside --outgoing-interface, and neither goes with --no-bridge', () => {
    expect(parseOptions([]).bridge).toMatchObject({ proxy: null, outgoingInterface: null })
    expect(parseOptions(['--proxy', 'socks5://127.0.0.1:1080', '--outgoing-interface', 'wg0']).bridge).toMatchObject({
      proxy: { host: '127.0.0.1', port: 1080 }, outgoingInterface: { kind: 'name', name: 'wg0' },
    })
    expect(parseOptions(['--outgoing-interface', '[fd00::2]']).bridge!.outgoingInterface).toEqual({ kind: 'address', address: 'fd00::2', family: 6 })
    expect(() => parseOptions(['--no-bridge', '--proxy', 'socks5://h:1'])).toThrow(/--no-bridge/)
    expect(() => parseOptions(['--outgoing-interface', 'not an interface'])).toThrow(/neither an interface name/)
  })
})

describe('--outgoing-interface', () => {
  const table: InterfaceTable = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    wg0: [
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fe80::1/64', scopeid: 3 },
      { address: '10.8.0.2', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '10.8.0.2/24' },
    ],
    tun0: [{ address: 'fe80::2', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fe80::2/64', scopeid: 4 }],
  }

  it("binds a name's address of the destination's family, looked up now", () => {
    expect(bindAddress(parseOutgoingInterface('wg0'), 4, table)).toEqual({ ok: true, address: '10.8.0.2' })
    expect(bindAddress(parseOutgoingInterface('lo'), 4, table)).toEqual({ ok: true, address: '127.0.0.1' })
  })

  it('says why nothing can connect: no such interface, no address of that family (a link-local one does not count)', () => {
    expect(bindAddress(parseOutgoingInterface('wg1'), 4, table)).toEqual({ ok: false, reason: 'there is no interface wg1 (is the VPN down?); nothing connects without it' })
    expect(bindAddress(parseOutgoingInterface('wg0'), 6, table)).toEqual({ ok: false, reason: 'interface wg0 has no IPv6 address (is it down?); nothing connects without it' })
    expect(bindAddress(parseOutgoingInterface('tun0'), 6, table).ok).toBe(false)
  })

  it('binds an address as given, to destinations of its family only', () => {
    expect(bindAddress(parseOutgoingInterface('10.8.0.2'), 4, {})).toEqual({ ok: true, address: '10.8.0.2' })
    expect(bindAddress(parseOutgoingInterface('10.8.0.2'), 6, {})).toEqual({ ok: false, reason: 'the outgoing address 10.8.0.2 is IPv4, and this destination is IPv6' })
  })
})

describe('what a SOCKS5 proxy said, in words', () => {
  const proxy = 'socks5://127.0.0.1:1080'
  it('tells a proxy that is down from a destination it could not reach', () => {
    expect(proxyUnreachable(proxy, 'ECONNREFUSED')).toEqual({
      proxyDown: true, unreachable: true, reason: 'the proxy socks5://127.0.0.1:1080 cannot be reached (ECONNREFUSED); nothing connects without it',
    })
    expect(socksFailure('Socks5 proxy rejected connection - ConnectionRefused', true, proxy, '1.2.3.4:6881')).toEqual({
      proxyDown: false, reply: 'ConnectionRefused', reason: 'the proxy socks5://127.0.0.1:1080 answered connection refused for 1.2.3.4:6881',
    })
    expect(socksFailure('Socks5 proxy rejected connection - NotAllowed', true, proxy, 't.example:80').reason).toMatch(/not allowed by its rules/)
    expect(socksFailure('Socks5 Authentication failed', true, proxy, 'x:1')).toMatchObject({ proxyDown: true, reason: 'the proxy socks5://127.0.0.1:1080 refused the user name and password' })
    expect(socksFailure('Received invalid Socks5 initial handshake (no accepted authentication type)', true, proxy, 'x:1').proxyDown).toBe(true)
    expect(socksFailure('Received invalid Socks5 initial handshake (invalid socks version)', true, proxy, 'x:1')).toMatchObject({ proxyDown: true, reason: expect.stringMatching(/does not speak SOCKS5/) })
  })

  it('judges silence and a closed connection by whether the proxy had answered', () => {
    expect(socksFailure('Proxy connection timed out', false, proxy, 'x:1')).toMatchObject({ proxyDown: true, unreachable: true })
    expect(socksFailure('Proxy connection timed out', true, proxy, 'x:1')).toEqual({ proxyDown: false, reason: 'no answer from x:1 through the proxy' })
    expect(socksFailure('Socket closed', false, proxy, 'x:1')).toMatchObject({ proxyDown: true, unreachable: true })
    expect(socksFailure('Socket closed', true, proxy, 'x:1').proxyDown).toBe(false)
    expect(socksFailure('read ECONNRESET', true, proxy, 'x:1').proxyDown).toBe(false)
  })

  it('says a proxy without UDP cannot carry udp:// trackers', () => {
    expect(udpRefused(proxy, 'CommandNotSupported').reason).toBe(
      'the proxy socks5://127.0.0.1:1080 does not relay UDP (it answered command not supported to UDP ASSOCIATE), so udp:// trackers cannot be reached through it')
  })
})

describe("the proxy's UDP relay", () => {
  it('reads its datagrams, IPv4, IPv6 and names', () => {
    for (const host of ['1.2.3.4', '2001:db8::1', 'tracker.example']) {
      const frame = SocksClient.createUDPFrame({ remoteHost: { host, port: 1337 }, data: Buffer.from('answer') })
      expect(parseDatagram(frame)).toEqual({ data: Buffer.from('answer'), from: { host, port: 1337 } })
    }
  })

  it('drops what is short, fragmented or nonsense, never throwing', () => {
    const good = SocksClient.createUDPFrame({ remoteHost: { host: '1.2.3.4', port: 1337 }, data: Buffer.from('x') })
    for (let n = 0; n < 10; n++) expect(parseDatagram(good.subarray(0, n)), `cut at ${n}`).toBeNull()
    const fragment = Buffer.from(good)
    fragment[2] = 1
    expect(parseDatagram(fragment)).toBeNull()
    const badType = Buffer.from(good)
    badType[3] = 9
    expect(() => parseDatagram(badType)).not.toThrow()
    let seed = 7
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32)
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)))
      expect(() => parseDatagram(bytes)).not.toThrow()
    }
  })
})

describe('what the app says of the route', () => {
  const connected: BridgeStatus = { state: 'connected', reason: null }
  it('names the proxy and the interface, and says when they do not work', () => {
    expect(reachText(connected)).toMatch(/^Connected to the whole swarm: TCP peers, HTTP\/UDP trackers and the DHT through the bridge, and WebRTC peers\.$/)
    const proxied = { ...connected, route: { proxy: 'socks5://127.0.0.1:1080', outgoingInterface: 'wg0', state: 'up' as const, message: '' } }
    expect(reachText(proxied)).toMatch(/through the bridge's proxy socks5:\/\/127\.0\.0\.1:1080 from wg0: TCP peers and HTTP\/UDP trackers \(no DHT behind a proxy\); WebRTC peers from this browser directly/)
    expect(reachLost(proxied)).toBe(false)
    const down = { ...connected, route: { ...proxied.route, state: 'down' as const, message: 'the proxy socks5://127.0.0.1:1080 cannot be reached (ECONNREFUSED); nothing connects without it' } }
    expect(reachText(down)).toBe('The bridge cannot reach the swarm: the proxy socks5://127.0.0.1:1080 cannot be reached (ECONNREFUSED); nothing connects without it. WebRTC peers meanwhile.')
    expect(reachLost(down)).toBe(true)
    expect(reachText({ ...connected, route: { proxy: '', outgoingInterface: '10.8.0.2', state: 'unknown', message: '' } })).toMatch(/through the bridge from 10\.8\.0\.2, and WebRTC peers/)
  })

  it('does not claim the DHT from a bridge that runs none (--no-dht)', () => {
    const connectivity = { portMapping: { state: 'off' as const, protocol: '' as const, gateway: '', externalHost: '', externalPort: 0, message: '' }, dhtNodes: -1, lsd: false, proxy: '', ipv6: false, peerPort: 6881 }
    expect(reachText({ ...connected, connectivity })).toBe('Connected to the swarm through the bridge: TCP peers and HTTP/UDP trackers (this bridge runs no DHT), and WebRTC peers.')
    expect(reachText({ ...connected, connectivity, route: { proxy: '', outgoingInterface: 'wg0', state: 'up', message: '' } })).toMatch(/from wg0: TCP peers and HTTP\/UDP trackers \(this bridge runs no DHT\)/)
    expect(reachText({ ...connected, connectivity: { ...connectivity, dhtNodes: 0 } })).toMatch(/and the DHT through the bridge/)
  })
})
