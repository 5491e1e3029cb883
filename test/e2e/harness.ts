import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { BrowserContext, Page } from '@playwright/test'
import { startServer, type RunningServer } from '../../bridge/server'
import { parseOptions } from '../../bridge/options'
import { allowWebRtc } from '../support/browser'

export interface Swarm {
  magnetURI: string
  infoHash: string
  wsUrl: string
  torrentFile: Buffer
  name: string
  /** SHA-256 of every source file, keyed by its path inside the torrent. */
  sha256: Record<string, string>
  stop(): Promise<void>
}

/**
 * A local swarm in a child process (WebRTC in Node stays out of the test runner): a WebSocket
 * tracker and a webtorrent seeder on loopback, seeding generated files.
 */
export async function startSwarm(opts: { name: string; sizeMiB: number; extra?: string[] }): Promise<Swarm> {
  const dir = await mkdtemp(join(tmpdir(), 'swarm-'))
  const child = spawn(process.execPath,
    ['--import', 'tsx', 'test/support/seeder-cli.ts', '--dir', dir, '--name', opts.name, '--size-mib', String(opts.sizeMiB), ...(opts.extra ?? [])],
    { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await firstLine(child)
  const info = JSON.parse(line) as Omit<Swarm, 'stop' | 'torrentFile' | 'name'> & { torrentFile: string; name?: string }
  return {
    ...info,
    name: info.name ?? opts.name,
    torrentFile: Buffer.from(info.torrentFile, 'base64'),
    async stop() {
      await stopChild(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error('the swarm did not start within 120 s')), 120_000)
    lines.once('line', (line) => { clearTimeout(timer); resolve(line) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the swarm exited with code ${code}`)) })
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/** The real server (`npm start`'s) on a free loopback port, pointed at local trackers only. */
export async function startApp(trackers: string[]): Promise<RunningServer> {
  const options = parseOptions(['--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--trackers', trackers.join(',')])
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

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve(hash.digest('hex'))).on('error', reject)
  })
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
