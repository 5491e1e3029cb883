import type { BrowserContext, Page } from '@playwright/test'
import { startServer, type RunningServer } from '../../bridge/server'
import { parseOptions } from '../../bridge/options'
import { allowWebRtc } from '../support/browser'
export { sha256File } from '../support/fixtures'
import type { FixtureFile } from '../support/fixtures'
import { spawnSeeder, type SeederProcessOptions } from '../support/seeder-process'

export interface Swarm {
  magnetURI: string
  infoHash: string
  wsUrl: string
  torrentFile: Buffer
  name: string
  /** SHA-256 of every source file, keyed by its path inside the torrent. */
  sha256: Record<string, string>
  files: FixtureFile[]
  stop(): Promise<void>
}

/**
 * A local swarm in a child process (WebRTC in Node stays out of the test runner): a WebSocket
 * tracker and a webtorrent seeder on loopback, seeding generated files.
 */
export async function startSwarm(opts: SeederProcessOptions): Promise<Swarm> {
  const seeder = await spawnSeeder(opts)
  const { info } = seeder
  if (!info.wsUrl) throw new Error('the swarm has no WebSocket tracker')
  return {
    magnetURI: info.magnetURI,
    infoHash: info.infoHash,
    wsUrl: info.wsUrl,
    name: info.name,
    sha256: info.sha256,
    files: info.files,
    torrentFile: Buffer.from(seeder.torrentFile),
    stop: () => seeder.stop(),
  }
}

/** The real server (`npm start`'s) on a free loopback port, pointed at local trackers only. */
export async function startApp(trackers: string[]): Promise<RunningServer> {
  const options = parseOptions(['--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--trackers', trackers.join(','),
    '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-bootstrap', 'none', '--allow-net', '127.0.0.0/8'])
  return startServer(options)
}

export async function openApp(context: BrowserContext, url: string): Promise<Page> {
  await allowWebRtc(context, new URL(url).origin)
  const page = await context.newPage()
  page.on('pageerror', (err) => console.log(`[page error] ${err.message}`))
  await page.goto(url)
  await page.getByText('No torrents yet').waitFor()
  return page
}

/** Names of the entries under the app's OPFS folder for one torrent (empty when deleted). */
export async function opfsEntries(page: Page, infoHash: string): Promise<string[]> {
  return page.evaluate(async (hash) => {
    const root = await navigator.storage.getDirectory()
    try {
      const dir = await (await root.getDirectoryHandle('torrents')).getDirectoryHandle(hash)
      const names: string[] = []
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name)
      return names
    } catch {
      return []
    }
  }, infoHash)
}

export const SCREENSHOTS = 'test-results/screenshots'
