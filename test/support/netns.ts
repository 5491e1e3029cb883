// A local network for tests that need one (multicast, LAN addresses), made of network namespaces
// the test creates: its own (`unshare -n`, loopback only) and a second "host" held by a `sleep`
// process, joined by a veth pair. Nothing reaches the machine's own networks: the addresses on the
// pair exist in those two namespaces only, and both go when their processes end.
import { spawnSync } from 'node:child_process'
import { readlink } from 'node:fs/promises'
import { pollUntil, runCommand, spawnDaemon, type Daemon } from './peers/process'

/** Why network namespaces of a test's own cannot be made here (not root, no `unshare`, `ip` or `nsenter`), or null. */
export function namespacesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  for (const tool of ['unshare', 'nsenter', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `no \`${tool}\` on this machine`
  }
  const probe = spawnSync('unshare', ['-n', 'true'])
  if (probe.status !== 0) return `cannot create a network namespace (unshare -n: ${probe.stderr.toString().trim() || `exit ${probe.status}`})`
  return null
}

/**
 * Throws unless this process is alone in a network namespace that has loopback only: the guard
 * that keeps a LAN of test addresses out of the machine's own network namespace.
 */
export async function requireOwnNamespace(): Promise<void> {
  const { stdout } = await runCommand('ip', ['-o', 'link', 'show'])
  const links = stdout.split('\n').filter(Boolean).map((line) => line.split(':')[1]!.trim())
  if (links.join(',') !== 'lo') throw new Error(`run this in a network namespace of its own (unshare -n): this one has ${links.join(', ')}`)
}

export interface LanEnd {
  /** The veth device's name. */
  device: string
  /** IPv4 and IPv6 addresses with their prefixes, e.g. '10.77.14.1/24', 'fd77:14::1/64'. */
  addresses: string[]
}

export interface LanHost {
  /** The process holding the other namespace. */
  pid: number
  /** Prefix that runs a command in it: ['nsenter', '-t', PID, '-n']. */
  wrapper: string[]
  /** Runs a command there to completion. */
  run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }>
  stop(): Promise<void>
}

/**
 * A second host on a link with this namespace: a new namespace, a veth pair between the two, the
 * addresses given on each end (IPv6 ones without duplicate address detection, usable at once).
 */
export async function startLanHost(here: LanEnd, there: LanEnd): Promise<LanHost> {
  await requireOwnNamespace()
  const holder: Daemon = spawnDaemon('unshare', ['-n', 'sleep', '600'], { name: 'namespace holder' })
  const own = await readlink('/proc/self/ns/net')
  try {
    // unshare execs sleep once the namespace is its own
    await pollUntil(async () => (await readlink(`/proc/${holder.pid}/ns/net`)) !== own, { timeoutMs: 5000, what: 'the second namespace', daemon: holder })
    const wrapper = ['nsenter', '-t', String(holder.pid), '-n']
    const there_ = (args: string[]) => runCommand(wrapper[0]!, [...wrapper.slice(1), ...args])
    await runCommand('ip', ['link', 'add', here.device, 'type', 'veth', 'peer', 'name', there.device])
    await runCommand('ip', ['link', 'set', there.device, 'netns', String(holder.pid)])
    for (const address of here.addresses) await runCommand('ip', ['addr', 'add', address, 'dev', here.device, ...(address.includes(':') ? ['nodad'] : [])])
    await runCommand('ip', ['link', 'set', here.device, 'up'])
    await there_(['ip', 'link', 'set', 'lo', 'up'])
    for (const address of there.addresses) await there_(['ip', 'addr', 'add', address, 'dev', there.device, ...(address.includes(':') ? ['nodad'] : [])])
    await there_(['ip', 'link', 'set', there.device, 'up'])
    return {
      pid: holder.pid,
      wrapper,
      run: (command, args) => there_([command, ...args]),
      stop: () => holder.stop(), // the namespace, its end of the pair and so the pair go with it
    }
  } catch (err) {
    await holder.stop()
    throw err
  }
}
