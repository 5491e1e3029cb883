import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../../bridge/api-gateway/limits'
import { parseOptions } from '../../bridge/options'
import { checkHost, checkOrigin, checkPeerDestination, checkToken, checkTrackerAddress, hostnameOf, parseCidr } from '../../bridge/api-gateway/policy'
import { backoffDelay } from '../../src/core/peer-connection/backoff'

const none: never[] = []

describe('peer destinations', () => {
  it('allows public unicast addresses on ports 1024+', () => {
    expect(checkPeerDestination('8.8.8.8', 6881, none).ok).toBe(true)
    expect(checkPeerDestination('2606:4700::1111', 51413, none).ok).toBe(true)
  })
  it('refuses private, loopback, CGNAT, link-local, multicast, reserved and embedded ranges', () => {
    for (const host of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '100.64.0.1', '169.254.169.254', '224.0.0.1',
      '240.0.0.1', '0.0.0.0', '255.255.255.255', '192.0.2.1', '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '2001:db8::1',
      '::ffff:127.0.0.1', '::ffff:192.168.0.1', '64:ff9b::a00:1', '2002:a00:1::1']) {
      const v = checkPeerDestination(host, 6881, none)
      expect(v.ok, host).toBe(false)
      if (!v.ok) expect(v.reason).toMatch(/--allow-net/)
    }
  })
  it('refuses ports below 1024 and port 0, and non-addresses', () => {
    expect(checkPeerDestination('8.8.8.8', 80, none)).toEqual({ ok: false, reason: expect.stringMatching(/below 1024/) })
    expect(checkPeerDestination('8.8.8.8', 0, none).ok).toBe(false)
    expect(checkPeerDestination('example.com', 6881, none).ok).toBe(false)
  })
  it('allows what --allow-net allows, at any port', () => {
    const allow = [parseCidr('127.0.0.0/8'), parseCidr('fd00::/8'), parseCidr('192.168.1.7')]
    expect(checkPeerDestination('127.0.0.5', 22, allow).ok).toBe(true)
    expect(checkPeerDestination('::ffff:127.0.0.1', 6881, allow).ok).toBe(true)
    expect(checkPeerDestination('fd12::1', 6881, allow).ok).toBe(true)
    expect(checkPeerDestination('192.168.1.7', 6881, allow).ok).toBe(true)
    expect(checkPeerDestination('192.168.1.8', 6881, allow).ok).toBe(false)
    expect(checkPeerDestination('::1', 6881, allow).ok).toBe(false)
  })
  // every IPv6 form that carries an IPv4 address is judged by that address
  it.each([
    // [address, allowed with no --allow-net, the IPv4 address that decides]
    ['::ffff:127.0.0.1', false, '127.0.0.1'],
    ['::ffff:8.8.8.8', true, '8.8.8.8'],
    ['::127.0.0.1', false, '127.0.0.1'], // IPv4-compatible, ::/96
    ['::7f00:1', false, '127.0.0.1'],
    ['::c0a8:101', false, '192.168.1.1'],
    ['::8.8.8.8', true, '8.8.8.8'],
    ['64:ff9b::127.0.0.1', false, '127.0.0.1'], // NAT64
    ['64:ff9b::a9fe:a9fe', false, '169.254.169.254'],
    ['64:ff9b::808:808', true, '8.8.8.8'],
    ['64:ff9b:1::808:808', false, 'local-use NAT64'],
    ['2002:7f00:1::1', false, '127.0.0.1'], // 6to4
    ['2002:c0a8:101::1', false, '192.168.1.1'],
    ['2002:808:808::1', true, '8.8.8.8'],
    ['2001:0:7f00:1:0:0:f7ff:fffe', false, '127.0.0.1'], // Teredo: its server
    ['2001:0:808:808:0:0:3fff:fffe', false, '192.0.0.1'], // Teredo: its client, inverted (~3fff:fffe = 192.0.0.1)
    ['2001:0:808:808:0:0:f7f7:f7f7', true, '8.8.8.8'],
    ['::', false, 'unspecified'],
    ['::1', false, 'loopback'],
  ])('%s: allowed %s (judged by %s)', (host, allowed, by) => {
    const v = checkPeerDestination(host, 6881, none)
    expect(v.ok).toBe(allowed)
    if (!v.ok) expect(v.reason).toContain(by)
    expect(checkTrackerAddress(host, none).ok).toBe(allowed)
  })
  it('an embedded address --allow-net holds is allowed', () => {
    expect(checkPeerDestination('::127.0.0.1', 6881, [parseCidr('127.0.0.0/8')]).ok).toBe(true)
    expect(checkPeerDestination('2002:7f00:1::1', 6881, [parseCidr('127.0.0.0/8')]).ok).toBe(true)
  })
  it('trackers: the address rule without the port rule', () => {
    expect(checkTrackerAddress('8.8.8.8', none).ok).toBe(true)
    expect(checkTrackerAddress('192.168.0.1', none).ok).toBe(false)
    expect(checkTrackerAddress('127.0.0.1', [parseCidr('127.0.0.0/8')]).ok).toBe(true)
  })
  it('rejects malformed ranges with a usable message', () => {
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/not an address range/)
    expect(() => parseCidr('lan')).toThrow(/not an address range/)
  })
})

describe('front checks', () => {
  const policy = { allowOrigins: ['http://localhost:5173', 'https://app.example'], token: null }
  it('Host: IP literals, localhost and configured names only (DNS rebinding)', () => {
    expect(checkHost('127.0.0.1:9339', policy).ok).toBe(true)
    expect(checkHost('[::1]:9339', policy).ok).toBe(true)
    expect(checkHost('localhost:9339', policy).ok).toBe(true)
    expect(checkHost('app.example', policy).ok).toBe(true)
    expect(checkHost('evil.example:9339', policy)).toEqual({ ok: false, reason: expect.stringMatching(/rebinding/) })
    expect(checkHost(undefined, policy).ok).toBe(false)
    expect(hostnameOf('[::1]:80')).toBe('::1')
  })
  it('Origin: its own and configured ones; none from non-browsers', () => {
    expect(checkOrigin('http://127.0.0.1:9339', '127.0.0.1:9339', policy).ok).toBe(true)
    expect(checkOrigin('http://localhost:5173', '127.0.0.1:9339', policy).ok).toBe(true)
    expect(checkOrigin('http://127.0.0.1:9340', '127.0.0.1:9339', policy).ok).toBe(false)
    expect(checkOrigin('https://evil.example', '127.0.0.1:9339', policy)).toEqual({ ok: false, reason: expect.stringMatching(/--allow-origin/) })
    expect(checkOrigin('null', '127.0.0.1:9339', policy).ok).toBe(false)
    expect(checkOrigin(undefined, '127.0.0.1:9339', policy).ok).toBe(true)
  })
  it('token', () => {
    expect(checkToken(null, policy).ok).toBe(true)
    const p = { ...policy, token: 'sekrit-token' }
    expect(checkToken(null, p).ok).toBe(false)
    expect(checkToken('sekrit-tokeX', p).ok).toBe(false)
    expect(checkToken('short', p).ok).toBe(false)
    expect(checkToken('sekrit-token', p).ok).toBe(true)
  })
})

describe('options', () => {
  it('keeps the foundation options and adds the bridge ones', () => {
    const o = parseOptions(['--port', '0', '--peer-port', '0', '--allow-net', '127.0.0.0/8,fd00::/8', '--dht-bootstrap', 'none', '--allow-origin', 'http://localhost:5173'])
    expect(o.port).toBe(0)
    expect(o.bridge!.peerPort).toBe(0)
    expect(o.bridge!.allowNet).toHaveLength(2)
    expect(o.bridge!.dhtBootstrap).toEqual([])
    expect(o.bridge!.allowOrigins).toEqual(['http://localhost:5173'])
    expect(o.bridge!.token).toBeNull()
    expect(parseOptions([]).bridge!.dhtBootstrap!.length).toBeGreaterThan(0)
    expect(parseOptions(['--no-dht']).bridge!.dhtBootstrap).toBeNull()
    expect(parseOptions(['--no-bridge']).bridge).toBeNull()
  })
  it('requires a token beyond loopback', () => {
    expect(() => parseOptions(['--host', '0.0.0.0'])).toThrow(/--token/)
    expect(parseOptions(['--host', '0.0.0.0', '--token', 'long-enough-token']).bridge!.token).toBe('long-enough-token')
    expect(parseOptions(['--host', '0.0.0.0', '--no-bridge']).bridge).toBeNull()
    expect(() => parseOptions(['--token', 'short'])).toThrow(/8 characters/)
  })
  it('rejects bad values with usable messages', () => {
    expect(() => parseOptions(['--peer-port', '70000'])).toThrow(/--peer-port/)
    expect(() => parseOptions(['--dht-bootstrap', 'router.example'])).toThrow(/host:port/)
    expect(() => parseOptions(['--allow-net', '10.0.0.0/40'])).toThrow(/address range/)
    expect(() => parseOptions(['--allow-origin', 'http://x.example/path'])).toThrow(/origin/)
    expect(() => parseOptions(['--encryption', 'always'])).toThrow(/--encryption: "always" is not one of prefer, require, off/)
  })
  it('port mapping: on by default, off on request, nothing else', () => {
    expect(parseOptions([]).bridge!.portMapping).toBe(true)
    expect(parseOptions(['--port-mapping', 'off']).bridge!.portMapping).toBe(false)
    expect(parseOptions(['--port-mapping', 'on']).bridge!.portMapping).toBe(true)
    expect(() => parseOptions(['--port-mapping', 'yes'])).toThrow('--port-mapping: "yes" is not on or off')
  })
  it('protocol encryption: prefer by default, require or off on request', () => {
    expect(parseOptions([]).bridge!.encryption).toBe('prefer')
    expect(parseOptions(['--encryption', 'require']).bridge!.encryption).toBe('require')
    expect(parseOptions(['--encryption', 'off']).bridge!.encryption).toBe('off')
  })
  it('--trackers: ws, wss, http, https and udp for every torrent; a bad one named with its reason', () => {
    const all = ['wss://tracker.example/', 'ws://127.0.0.1:8000', 'http://127.0.0.1:8000/announce', 'https://t.example/announce', 'udp://127.0.0.1:8000']
    expect(parseOptions(['--trackers', all.join(',')]).runtime.trackers).toEqual(all)
    expect(parseOptions(['--trackers', ' udp://a.example:1337 , udp://a.example:1337,,']).runtime.trackers).toEqual(['udp://a.example:1337'])
    expect(parseOptions([]).runtime.trackers.every((url) => url.startsWith('wss://'))).toBe(true)
    expect(() => parseOptions(['--trackers', 'wss://ok.example,ftp://t.example/announce'])).toThrow('--trackers: "ftp://t.example/announce" needs http://, https://, udp://, ws:// or wss://')
    expect(() => parseOptions(['--trackers', 'tracker.example:80'])).toThrow(/--trackers: "tracker.example:80" needs/)
    expect(() => parseOptions(['--trackers', 'http//tracker.example'])).toThrow('--trackers: "http//tracker.example" is not a URL')
    expect(() => parseOptions(['--trackers', 'udp://'])).toThrow('--trackers: "udp://" names no host')
  })
})

describe('rates and backoff', () => {
  it('token bucket: burst, then the sustained rate', () => {
    let t = 0
    const b = new TokenBucket(2, 3, () => t)
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false])
    t += 500
    expect([b.take(), b.take()]).toEqual([true, false])
    t += 10_000
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false])
  })
  it('backoff doubles up to the max, with bounded jitter', () => {
    const o = { minMs: 1000, maxMs: 8000, jitter: 0 }
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, o))).toEqual([0, 1000, 2000, 4000, 8000, 8000, 8000])
    const j = { minMs: 1000, maxMs: 8000, jitter: 0.5 }
    expect(backoffDelay(1, j, () => 0)).toBe(500)
    expect(backoffDelay(1, j, () => 0.999999)).toBe(1000)
  })
})
