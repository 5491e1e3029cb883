// What the bridge makes of the LSD announces it hears (bridge/peer-discovery/lsd-peers.ts), on a fake clock: only
// local senders, at their rate, for wanted torrents, remembered as dialable for a while.
import { describe, expect, it } from 'vitest'
import { formatLsdAnnounce } from '../../src/core/peer-discovery/lsd-message'
import { lsdNetworks } from '../../bridge/peer-discovery/local-network'
import { LSD_PEER_MEMORY_MS, LsdPeers, MAX_REMEMBERED, PER_SOURCE_BURST, PER_SOURCE_RATE, TOTAL_BURST } from '../../bridge/peer-discovery/lsd-peers'

const H1 = '11'.repeat(20)
const H2 = '22'.repeat(20)
const NETWORKS = lsdNetworks({
  eth0: [
    { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '192.168.1.20/24' },
    { address: 'fd00:1::20', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fd00:1::20/64', scopeid: 0 },
  ],
}, '::')

function setup(wanted = [H1]) {
  const clock = { t: 1_000_000 }
  const peers = new LsdPeers('tw-own', (h) => wanted.includes(h), () => clock.t)
  peers.setNetworks(NETWORKS)
  return { clock, peers }
}
const announce = (infoHash: string, port = 6881, cookie = 'other') => formatLsdAnnounce(4, port, infoHash, cookie)

describe('LsdPeers', () => {
  it('reports a local sender\'s peer for a wanted torrent, at the sender\'s address and the announced port', () => {
    const { peers } = setup()
    expect(peers.receive(announce(H1, 51413), '192.168.1.33')).toEqual([{ infoHash: H1, peer: { host: '192.168.1.33', port: 51413 } }])
    expect(peers.receive(announce(H1), '::ffff:192.168.1.34')).toEqual([{ infoHash: H1, peer: { host: '192.168.1.34', port: 6881 } }])
    expect(peers.receive(formatLsdAnnounce(6, 6881, H1, 'x'), 'fd00:1::33')).toEqual([{ infoHash: H1, peer: { host: 'fd00:1::33', port: 6881 } }])
  })

  it('drops senders from elsewhere, its own announces, torrents no page wants, low ports and what is no announce', () => {
    const { peers } = setup()
    for (const from of ['192.168.2.1', '8.8.8.8', '127.0.0.1', 'fe80::1%eth0', 'fd00:2::1', 'not an address']) {
      expect(peers.receive(announce(H1), from), from).toEqual([])
    }
    expect(peers.receive(announce(H1, 6881, 'tw-own'), '192.168.1.20')).toEqual([]) // multicast looped back to us
    expect(peers.receive(announce(H1, 6881, 'tw-other-bridge'), '192.168.1.20')).toHaveLength(1) // another client here
    expect(peers.receive(announce(H2), '192.168.1.33')).toEqual([])
    expect(peers.receive(announce(H1, 445), '192.168.1.33')).toEqual([])
    expect(peers.receive(new TextEncoder().encode('M-SEARCH * HTTP/1.1\r\n\r\n'), '192.168.1.33')).toEqual([])
  })

  it('a page may dial an announced peer (and no other) for LSD_PEER_MEMORY_MS after its last announce', () => {
    const { clock, peers } = setup([H1, H2])
    const peer = { host: '192.168.1.33', port: 6881 }
    expect(peers.mayDial(H1, peer)).toBe(false)
    peers.receive(announce(H1), '192.168.1.33')
    expect(peers.mayDial(H1, peer)).toBe(true)
    expect(peers.mayDial(H2, peer)).toBe(false) // announced for another torrent only
    expect(peers.mayDial(H1, { ...peer, port: 6882 })).toBe(false)
    expect(peers.mayDial(H1, { host: '192.168.1.34', port: 6881 })).toBe(false)
    clock.t += LSD_PEER_MEMORY_MS - 1
    peers.receive(announce(H1), '192.168.1.33') // announced again: remembered again
    clock.t += LSD_PEER_MEMORY_MS - 1
    expect(peers.mayDial(H1, peer)).toBe(true)
    clock.t += 2
    expect(peers.mayDial(H1, peer)).toBe(false)
    // still remembered, but the network is gone (the interface went down): no
    peers.receive(announce(H1), '192.168.1.33')
    peers.setNetworks([])
    expect(peers.mayDial(H1, peer)).toBe(false)
  })

  it('holds one sender to its rate and every sender to the total, whatever each datagram announces', () => {
    const { clock, peers } = setup([H1])
    let reported = 0
    for (let i = 0; i < 200; i++) reported += peers.receive(announce(H1, 2000 + i), '192.168.1.33').length
    expect(reported).toBe(PER_SOURCE_BURST)
    clock.t += 1000
    reported = 0
    for (let i = 0; i < 200; i++) reported += peers.receive(announce(H1, 3000 + i), '192.168.1.33').length
    expect(reported).toBe(PER_SOURCE_RATE)
    // many senders together, once the total has filled up again: its burst, then nothing until time passes
    clock.t += 10_000
    reported = 0
    for (let host = 40; host < 250; host++) for (let i = 0; i < 3; i++) reported += peers.receive(announce(H1, 4000 + i), `192.168.1.${host}`).length
    expect(reported).toBe(TOTAL_BURST)
  })

  it('remembers at most MAX_REMEMBERED peers, the oldest forgotten first', () => {
    const { clock, peers } = setup([H1])
    const first = { host: '192.168.1.2', port: 1024 }
    peers.receive(announce(H1, first.port), first.host)
    // from many senders, slowly enough for every rate
    for (let i = 1; i <= MAX_REMEMBERED; i++) {
      clock.t += 100
      peers.receive(announce(H1, 1024 + (i % 60000)), `192.168.1.${3 + (i % 250)}`)
    }
    expect(peers.mayDial(H1, first)).toBe(false)
  })
})
