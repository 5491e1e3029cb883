// Real SOCKS5 proxies on loopback, each a child process stopped by its PID, that count what they
// did from their own logs:
// - Dante (danted 1.4, Debian's dante-server): CONNECT and UDP ASSOCIATE, no login (its logins are
//   the system's users); its own connections leave from `external`.
// - microsocks 1.0: CONNECT only (it answers UDP ASSOCIATE with "command not supported"), with a
//   user name and password when given; its own connections leave from `bind`.
// Each proxy's own connections come from an address of its own (127.0.0.N), so that whoever
// receives them can tell them from the bridge's.
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { findFreePort, makeTempDir, pollUntil, spawnDaemon, type Daemon, type TempDir } from './process'

export interface SocksProxy {
  name: string
  /** socks5://[user:password@]127.0.0.1:port */
  url: string
  port: number
  /** The address the proxy's own connections come from. */
  outboundAddress: string
  /** TCP connections the proxy opened to destinations for its clients, so far (from its log). */
  connects(): number
  /** UDP associations it granted, so far (Dante only). */
  udpAssociations(): number
  daemon: Daemon
  stop(): Promise<void>
}

async function waitListening(port: number, daemon: Daemon): Promise<void> {
  await pollUntil(() => new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  }), { timeoutMs: 10_000, what: `${daemon.name} listening on ${port}`, daemon })
}

function count(daemon: Daemon, pattern: RegExp): number {
  return daemon.output().match(pattern)?.length ?? 0
}

/** Dante on 127.0.0.1, any client on loopback, every destination, CONNECT and UDP ASSOCIATE. */
export async function startDante(opts: { external: string }): Promise<SocksProxy> {
  const port = await findFreePort()
  const tmp: TempDir = await makeTempDir('danted-')
  const conf = join(tmp.dir, 'danted.conf')
  // no user.* lines: danted then runs as whoever starts it (root or not)
  await writeFile(conf, [
    'logoutput: stderr',
    `internal: 127.0.0.1 port = ${port}`,
    `external: ${opts.external}`,
    'socksmethod: none',
    'clientmethod: none',
    'client pass {',
    '  from: 127.0.0.0/8 to: 0.0.0.0/0',
    '}',
    'socks pass {',
    '  from: 127.0.0.0/8 to: 0.0.0.0/0',
    '  command: connect udpassociate udpreply',
    '  log: connect disconnect error',
    '}',
    '',
  ].join('\n'))
  const daemon = spawnDaemon('danted', ['-f', conf, '-p', join(tmp.dir, 'danted.pid')], { name: 'danted' })
  try {
    await waitListening(port, daemon)
  } catch (err) {
    await daemon.stop()
    await tmp.remove()
    throw err
  }
  return {
    name: 'danted',
    url: `socks5://127.0.0.1:${port}`,
    port,
    outboundAddress: opts.external,
    // "pass(1): tcp/connect [: 127.0.0.1.40000 127.0.0.1.1080 -> 127.0.0.3.40000 127.0.0.1.6881" at each start
    connects: () => count(daemon, /tcp\/connect \[/g),
    udpAssociations: () => count(daemon, /udp\/udpassociate \[/g),
    daemon,
    stop: async () => {
      await daemon.stop()
      await tmp.remove()
    },
  }
}

/** microsocks on 127.0.0.1 (`port`, or a free one), its connections from `bind`; with `login`, a user name and password are required. */
export async function startMicrosocks(opts: { bind: string; port?: number; login?: { user: string; password: string } }): Promise<SocksProxy> {
  const port = opts.port ?? await findFreePort()
  const login = opts.login ? ['-u', opts.login.user, '-P', opts.login.password] : []
  const daemon = spawnDaemon('microsocks', ['-i', '127.0.0.1', '-p', String(port), '-b', opts.bind, ...login], { name: 'microsocks' })
  try {
    await waitListening(port, daemon)
  } catch (err) {
    await daemon.stop()
    throw err
  }
  const credentials = opts.login ? `${encodeURIComponent(opts.login.user)}:${encodeURIComponent(opts.login.password)}@` : ''
  return {
    name: 'microsocks',
    url: `socks5://${credentials}127.0.0.1:${port}`,
    port,
    outboundAddress: opts.bind,
    // "client[4] 127.0.0.1: connected to 127.0.0.1:6881" at each CONNECT it carried out
    connects: () => count(daemon, /: connected to /g),
    udpAssociations: () => 0,
    daemon,
    stop: () => daemon.stop(),
  }
}
