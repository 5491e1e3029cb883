// Local Service Discovery (BEP 14, issue 15) with a real LSD peer: qbittorrent-nox on a LAN of two
// network namespaces, found by the bridge only through its LSD announces (IPv4 and IPv6), and the
// page downloads the torrent from it, bytes exact; datagrams that must not count (unicast, from
// another network, for a system port) do not; the bridge announces the page's public torrent on the
// LAN, not a private one, and a bridge started with --no-lsd announces nothing. The scenario runs in a process of its own inside a
// new network namespace (lsd-lan.ts): multicast needs a link, and must not go out on this
// machine's own networks. Skipped, with the reason, where namespaces cannot be made (not root).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { childStopper } from '../support/child-stopper'
import { namespacesUnavailable } from '../support/netns'
import { REPO_ROOT } from '../support/seeder-process'
import type { ScenarioReport } from './lsd-lan'

const SCENARIO = fileURLToPath(new URL('./lsd-lan.ts', import.meta.url))

/** Runs lsd-lan.ts in a new network namespace; resolves with its report. */
async function runInNamespace(timeoutMs: number): Promise<ScenarioReport> {
  // stdin is a pipe: if this process dies, the scenario sees EOF and stops its daemons
  const child = spawn('unshare', ['-n', process.execPath, '--import', 'tsx', SCENARIO], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const stop = childStopper(child)
  let last = ''
  createInterface({ input: child.stdout! }).on('line', (line) => { if (line.startsWith('{')) last = line })
  const timer = setTimeout(() => void stop(), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  clearTimeout(timer)
  if (!last) throw new Error(`the LSD scenario printed no report (exit ${code})`)
  const report = JSON.parse(last) as ScenarioReport & { error?: string }
  if (report.error) throw new Error(`the LSD scenario failed: ${report.error}`)
  return report
}

describe('Local Service Discovery', () => {
  it('finds qbittorrent-nox on the LAN by LSD only and downloads from it, bytes exact', async (ctx) => {
    const unavailable = namespacesUnavailable()
    if (unavailable) {
      console.warn(`LSD test skipped: ${unavailable}`)
      ctx.skip(unavailable)
    }
    const report = await runInNamespace(110_000)
    if (report.skip) {
      console.warn(`LSD test skipped: ${report.skip}`)
      ctx.skip(report.skip)
    }
    expect(report.files.length).toBeGreaterThan(0)
    for (const f of report.files) expect(f.actual, f.path).toBe(f.expected)
    const lsd = report.peersFromBridge.filter((p) => p.startsWith('lsd '))
    // the probes: of the five datagrams, the two from the LAN to the groups, no other
    expect(lsd).toContain('lsd 10.77.14.2:2004')
    expect(lsd).toContain('lsd fd77:14::2:2006')
    for (const port of [2001, 2002, 22]) expect(lsd.filter((p) => p.endsWith(`:${port}`)), `port ${port}`).toEqual([])
    // qBittorrent's own announces, over IPv4 and IPv6, and nothing but LSD found anyone
    expect(lsd).toContain(`lsd 10.77.14.2:${report.seederPort}`)
    expect(lsd).toContain(`lsd fd77:14::2:${report.seederPort}`)
    expect(report.peersFromBridge.filter((p) => !p.startsWith('lsd '))).toEqual([])
    expect(report.maxCounts['lsd']).toBeGreaterThanOrEqual(1)
    expect(report.maxCounts['tracker']).toBe(0)
    expect(report.maxCounts['dht']).toBe(0)
    // the bytes came from qBittorrent
    expect(report.seederUploaded).toBeGreaterThanOrEqual(report.length)
    // what the other host heard: the bridge's peer port for the public torrent, over IPv4 and IPv6;
    // nothing for the private torrent, nothing from the bridge started with --no-lsd
    expect(report.heard).toContain(`10.77.14.1 ${report.bridgePort} ${report.publicInfoHash}`)
    expect(report.heard).toContain(`fd77:14::1 ${report.bridgePort} ${report.publicInfoHash}`)
    expect(report.heard.filter((h) => h.includes(report.privateInfoHash))).toEqual([])
    expect(report.heard.filter((h) => h.split(' ')[1] === String(report.quietBridgePort))).toEqual([])
    // and each page was told so (the connectivity panel's "Local peer discovery")
    expect(report.statusLsd).toBe(true)
    expect(report.quietStatusLsd).toBe(false)
  }, 120_000)
})
