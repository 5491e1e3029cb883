// Port mapping against a real router daemon: Debian's miniupnpd in a network namespace between a
// LAN (the bridge and its page) and a WAN (aria2c and a tracker), netns-router.ts. The bridge maps
// its peer port (TCP) and DHT port (UDP) by PCP, NAT-PMP or UPnP-IGD, the page is told so in a
// STATUS frame, a client on the internet side downloads the page's torrent through the mapped
// port (bytes exact), and the router's forwards are gone once the bridge has stopped.
// Needs root, iproute2, nftables, miniupnpd-nftables and aria2; skipped with the reason otherwise.
import { spawnSync } from 'node:child_process'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StatusFrame } from '../../src/protocol/bridge-frames'
import { multiFileFixture, sha256File, writeFixture } from '../support/fixtures'
import { spawnJsonLines, type JsonLinesChild } from '../support/json-lines-child'
import { LAN_HOST, ROUTER_LAN, ROUTER_WAN, WAN_HOST_2, makeHomeNetwork, netnsUnavailable, type HomeNetwork } from '../support/netns-router'
import type { Daemon } from '../support/peers/process'
import { tempDir } from './harness'

const PEER_PORT = 6881
const TRACKER_PORT = 6969
const unavailable = netnsUnavailable()
if (unavailable) console.warn(`[port-mapping] skipped: ${unavailable}`)

type LanLine =
  | { event: 'ready'; infoHash: string; torrentFile: string }
  | { event: 'status'; frame: StatusFrame }
  | { event: 'counts'; counts: { incoming: number } }
  | { event: 'closed' }

describe.skipIf(unavailable !== null)('port mapping through a real router (miniupnpd in network namespaces)', () => {
  let net: HomeNetwork
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let fixture: Awaited<ReturnType<typeof writeFixture>>
  let router: Daemon | null = null
  let tracker: JsonLinesChild<{ listening: string }>
  const children: JsonLinesChild<unknown>[] = []

  const node = (ns: string, script: string, ...args: string[]) => net.exec(ns, [process.execPath, '--import', 'tsx', script, ...args])
  /** The bridge and its page, in the LAN. */
  function startLan(): JsonLinesChild<LanLine> {
    const lan = spawnJsonLines<LanLine>(node(net.lan, 'test/support/portmap-lan-cli.ts', '--root', fixture.root,
      '--tracker', `http://${WAN_HOST_2}:${TRACKER_PORT}/announce`, '--peer-port', String(PEER_PORT)))
    children.push(lan as JsonLinesChild<unknown>)
    return lan
  }
  const mapped = (protocol: string) => (l: LanLine) => l.event === 'status' && l.frame.portMapping.state === 'mapped' && l.frame.portMapping.protocol === protocol
  async function restartRouter(opts: { natPmp: boolean; upnp: boolean } | null): Promise<void> {
    await router?.stop()
    router = opts ? await net.startMiniupnpd(opts) : null
  }

  beforeAll(async () => {
    net = await makeHomeNetwork()
    tmp = await tempDir('portmap-')
    await chmod(tmp.dir, 0o755)
    fixture = await writeFixture(tmp.dir, 'payload', multiFileFixture(6))
    tracker = spawnJsonLines(node(net.wan, 'test/support/tracker-cli.ts', '--host', WAN_HOST_2, '--port', String(TRACKER_PORT)))
    await tracker.next((l) => Boolean(l.listening), 20_000, 'the tracker on the WAN side listening')
  }, 60_000)

  afterAll(async () => {
    for (const child of children) await child.stop()
    await tracker?.stop()
    await router?.stop()
    await net?.remove()
    await tmp?.remove()
  }, 30_000)

  it('PCP: the page is told it is reachable at the router\'s address; aria2c on the internet side downloads everything through the mapped port; the forwards go when the bridge stops', async () => {
    await restartRouter({ natPmp: true, upnp: true })
    const lan = startLan()
    const ready = await lan.next((l) => l.event === 'ready', 60_000, 'the LAN bridge and page up')
    const status = await lan.next(mapped('pcp'), 20_000, 'a STATUS frame saying mapped by PCP')
    expect(status.event === 'status' && status.frame.portMapping).toEqual({
      state: 'mapped', protocol: 'pcp', gateway: ROUTER_LAN, externalHost: ROUTER_WAN, externalPort: PEER_PORT, message: '',
    })
    expect(net.forwards()).toEqual([`tcp ${PEER_PORT} -> ${LAN_HOST}:${PEER_PORT}`, `udp ${PEER_PORT} -> ${LAN_HOST}:${PEER_PORT}`])

    // the client on the internet side: it learns 5.5.5.1:6881 from the tracker (where the
    // bridge's announce arrived from, through the router's NAT) and connects in
    if (ready.event !== 'ready') throw new Error('unreachable')
    const torrentPath = join(tmp.dir, 'payload.torrent')
    await writeFile(torrentPath, Buffer.from(ready.torrentFile, 'base64'))
    const downloadDir = join(tmp.dir, 'wan-download')
    const aria2 = spawnSync(net.exec(net.wan, ['aria2c'])[0]!, [...net.exec(net.wan, ['aria2c']).slice(1), `--dir=${downloadDir}`, '--seed-time=0',
      '--enable-dht=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--file-allocation=none', '--disable-ipv6=true',
      '--listen-port=51413', `--bt-tracker=http://${WAN_HOST_2}:${TRACKER_PORT}/announce`, '--bt-stop-timeout=60', '--summary-interval=0',
      '--console-log-level=warn', torrentPath], { encoding: 'utf8', timeout: 120_000 })
    expect(aria2.status, `aria2c: ${aria2.stdout}\n${aria2.stderr}`).toBe(0)
    for (const [path, hash] of fixture.sha256) expect(await sha256File(join(downloadDir, 'payload', ...path.split('/'))), path).toBe(hash)
    // the page counted it as an incoming peer (the peers list shows it so)
    expect(lan.lines.some((l) => l.event === 'counts' && l.counts.incoming >= 1)).toBe(true)

    await lan.stop()
    expect(lan.lines.at(-1)).toEqual({ event: 'closed' })
    expect(net.forwards()).toEqual([])
  }, 180_000)

  it('NAT-PMP: a mapping asked for in the older protocol is made, says the external address, and is removed', async () => {
    const probe = spawnJsonLines<{ mapped?: { ok: boolean; answer?: { externalPort: number; lifetime: number } }; externalHost?: string; protocol?: string; unmapped?: { ok: boolean } }>(
      node(net.lan, 'test/support/pmp-probe-cli.ts', '--gateway', ROUTER_LAN, '--port', '7000'))
    children.push(probe as JsonLinesChild<unknown>)
    const mappedLine = await probe.next((l) => l.mapped !== undefined, 30_000, 'the NAT-PMP mapping')
    expect(mappedLine).toMatchObject({ mapped: { ok: true, answer: { externalPort: 7000, lifetime: 120 } }, externalHost: ROUTER_WAN, protocol: 'natpmp' })
    expect(net.forwards()).toEqual([`tcp 7000 -> ${LAN_HOST}:7000`])
    probe.child.stdin!.end()
    expect(await probe.next((l) => l.unmapped !== undefined, 10_000, 'the NAT-PMP removal')).toEqual({ unmapped: { ok: true, answer: expect.anything() } })
    expect(net.forwards()).toEqual([])
  }, 60_000)

  it('UPnP-IGD (a router without NAT-PMP and PCP): found by SSDP, both ports mapped, the external address learnt, removed on stop', async () => {
    await restartRouter({ natPmp: false, upnp: true })
    const lan = startLan()
    const status = await lan.next(mapped('upnp'), 60_000, 'a STATUS frame saying mapped by UPnP')
    expect(status.event === 'status' && status.frame.portMapping).toEqual({
      state: 'mapped', protocol: 'upnp', gateway: ROUTER_LAN, externalHost: ROUTER_WAN, externalPort: PEER_PORT, message: '',
    })
    expect(status.event === 'status' && status.frame.dhtNodes).toBeGreaterThanOrEqual(0)
    expect(net.forwards()).toEqual([`tcp ${PEER_PORT} -> ${LAN_HOST}:${PEER_PORT}`, `udp ${PEER_PORT} -> ${LAN_HOST}:${PEER_PORT}`])
    await lan.stop()
    expect(lan.lines.at(-1)).toEqual({ event: 'closed' })
    expect(net.forwards()).toEqual([])
  }, 90_000)

  it('no router daemon: the page is told the mapping failed, and why', async () => {
    await restartRouter(null)
    const lan = startLan()
    const failed = await lan.next((l) => l.event === 'status' && l.frame.portMapping.state === 'failed', 60_000, 'a STATUS frame saying failed')
    expect(failed.event === 'status' && failed.frame.portMapping).toEqual({
      state: 'failed', protocol: '', gateway: ROUTER_LAN, externalHost: '', externalPort: 0,
      message: `no answer to NAT-PMP or PCP from ${ROUTER_LAN}; no UPnP gateway answered`,
    })
    await lan.stop()
  }, 90_000)
})
