// A home network in three network namespaces, for port mapping tests: a "LAN" host behind a
// "router" running Debian's miniupnpd (UPnP-IGD, NAT-PMP and PCP, nftables backend), and a "WAN"
// host on the router's outside, joined by veth pairs:
//
//   LAN 192.168.77.2 --- 192.168.77.1 ROUTER 5.5.5.1 --- 5.5.5.2, 5.5.5.3 WAN
//
// The router is the LAN's default gateway, masquerades the LAN's traffic out, and forwards
// nothing in unless miniupnpd mapped it. The outside addresses look public because miniupnpd
// refuses to map behind a private or documentation address; they exist only in these
// namespaces, which have no link to anything else, so no packet leaves them.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnDaemon, type Daemon } from './peers/process'

export const LAN_HOST = '192.168.77.2'
export const ROUTER_LAN = '192.168.77.1'
export const ROUTER_WAN = '5.5.5.1'
export const WAN_HOST = '5.5.5.2'
/** A second address on the WAN host (a tracker there, apart from the client). */
export const WAN_HOST_2 = '5.5.5.3'
export const MINIUPNPD = '/usr/sbin/miniupnpd'

/** Why these tests cannot run here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root'
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nft', 'nftables'], [MINIUPNPD, 'miniupnpd-nftables'], ['aria2c', 'aria2']] as const) {
    const found = tool.startsWith('/') ? existsSync(tool) : spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
    if (!found) return `${tool} is not installed (Debian package ${pkg})`
  }
  const probe = `twpm-probe-${process.pid}`
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (made.status !== 0) return `"ip netns add" failed: ${(made.stderr || made.error?.message || '').trim()}`
  const nft = spawnSync('ip', ['netns', 'exec', probe, 'nft', 'add', 'table', 'inet', 'probe'], { encoding: 'utf8' })
  spawnSync('ip', ['netns', 'del', probe])
  if (nft.status !== 0) return `nftables does not work in a network namespace here: ${nft.stderr.trim()}`
  return null
}

export interface HomeNetwork {
  lan: string
  router: string
  wan: string
  /** `command` as run inside namespace `ns`. */
  exec(ns: string, command: string[]): string[]
  /** Runs `command` in `ns` and returns its stdout (throws on failure). */
  run(ns: string, command: string[]): string
  /** The router's port forwards, as nftables holds them (miniupnpd's DNAT rules): "tcp 6881 -> 192.168.77.2:6881". */
  forwards(): string[]
  /** Starts miniupnpd on the router; `natPmp: false` leaves UPnP-IGD alone. */
  startMiniupnpd(opts: { natPmp: boolean; upnp: boolean }): Promise<Daemon>
  remove(): Promise<void>
}

export async function makeHomeNetwork(): Promise<HomeNetwork> {
  const id = `${process.pid}`
  const lan = `twpm-lan-${id}`
  const router = `twpm-rtr-${id}`
  const wan = `twpm-wan-${id}`
  const lanIf = `pml${id}`.slice(0, 15)
  const wanIf = `pmw${id}`.slice(0, 15)
  const routerLanIf = `pmr${id}`.slice(0, 15)
  const routerWanIf = `pmx${id}`.slice(0, 15)
  const dir = await mkdtemp(join(tmpdir(), 'twpm-'))
  await chmod(dir, 0o755)
  const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  const exec = (ns: string, command: string[]) => ['ip', 'netns', 'exec', ns, ...command]
  const run = (ns: string, command: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const remove = async () => {
    for (const ns of [lan, router, wan]) spawnSync('ip', ['netns', 'del', ns])
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (const ns of [lan, router, wan]) {
      sh('ip', 'netns', 'add', ns)
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
    }
    sh('ip', 'link', 'add', 'name', lanIf, 'netns', lan, 'type', 'veth', 'peer', 'name', routerLanIf, 'netns', router)
    sh('ip', 'link', 'add', 'name', wanIf, 'netns', wan, 'type', 'veth', 'peer', 'name', routerWanIf, 'netns', router)
    const up = (ns: string, dev: string, ...addresses: string[]) => {
      for (const address of addresses) sh('ip', '-n', ns, 'addr', 'add', address, 'dev', dev)
      sh('ip', '-n', ns, 'link', 'set', dev, 'up')
    }
    up(lan, lanIf, `${LAN_HOST}/24`)
    up(router, routerLanIf, `${ROUTER_LAN}/24`)
    up(router, routerWanIf, `${ROUTER_WAN}/24`)
    up(wan, wanIf, `${WAN_HOST}/24`, `${WAN_HOST_2}/24`)
    sh('ip', '-n', lan, 'route', 'add', 'default', 'via', ROUTER_LAN)
    sh('ip', '-n', wan, 'route', 'add', 'default', 'via', ROUTER_WAN)
    run(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    // the chains miniupnpd fills (its names, set in its configuration below), hooked in as a router's firewall does
    const rules = join(dir, 'router.nft')
    await writeFile(rules, `table inet filter {
  chain miniupnpd {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "${routerLanIf}" accept
    jump miniupnpd
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "${routerWanIf}" masquerade
  }
}
`)
    run(router, ['nft', '-f', rules])
  } catch (err) {
    await remove()
    const e = err as { stderr?: Buffer; message: string }
    throw new Error(`building the namespaces failed: ${e.stderr?.toString().trim() || e.message}`)
  }

  return {
    lan, router, wan, exec, run, remove,
    forwards() {
      const text = run(router, ['nft', 'list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd'])
      // miniupnpd writes: iif "pmx1" @nh,72,8 0x6 th dport 6881 dnat ip to 192.168.77.2:6881 (0x6 TCP, 0x11 UDP)
      return [...text.matchAll(/@nh,72,8 (0x6|0x11) th dport (\d+) dnat ip to ([\d.:]+)/g)]
        .map((m) => `${m[1] === '0x6' ? 'tcp' : 'udp'} ${m[2]} -> ${m[3]}`).sort()
    },
    async startMiniupnpd(opts) {
      const conf = join(dir, `miniupnpd-${opts.natPmp ? 'pmp' : 'upnp'}.conf`)
      await writeFile(conf, [
        `ext_ifname=${routerWanIf}`,
        `listening_ip=${routerLanIf}`,
        'port=0',
        `enable_natpmp=${opts.natPmp ? 'yes' : 'no'}`,
        `enable_upnp=${opts.upnp ? 'yes' : 'no'}`,
        // a client may map only to itself, as on a real router
        'secure_mode=yes',
        'upnp_table_name=filter',
        'upnp_nat_table_name=filter',
        'upnp_forward_chain=miniupnpd',
        'upnp_nat_chain=prerouting_miniupnpd',
        'upnp_nat_postrouting_chain=postrouting_miniupnpd',
        'uuid=3b2a6c1e-8f4d-4e55-9a6b-2f7c1d0e9a11',
        'allow 1024-65535 192.168.77.0/24 1024-65535',
        'deny 0-65535 0.0.0.0/0 0-65535',
        '',
      ].join('\n'))
      const daemon = spawnDaemon('ip', exec(router, [MINIUPNPD, '-f', conf, '-d', '-P', join(dir, 'miniupnpd.pid')]).slice(1), { name: 'miniupnpd' })
      // up once it says where it listens (UPnP's HTTP port, or NAT-PMP's)
      const start = Date.now()
      while (!/HTTP listening on port|Listening for NAT-PMP/.test(daemon.output())) {
        if (daemon.hasExited) throw new Error(`miniupnpd exited:\n${daemon.output()}`)
        if (Date.now() - start > 10_000) throw new Error(`miniupnpd did not start:\n${daemon.output()}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return daemon
    },
  }
}
