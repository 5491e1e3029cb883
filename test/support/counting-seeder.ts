// A webtorrent seeder process (seeder-cli's swarm) that also reports how many bytes it has
// uploaded, so a test can prove this seeder delivered data. Run as a child process (WebRTC in
// Node stays out of the Playwright process): it prints seeder-cli's JSON line first, then a line
// `{"uploaded":N}` every 250 ms on stdout. spawnCountingSeeder() runs it and keeps the last figure.
//
//   node --import tsx test/support/counting-seeder.ts [seeder-cli's flags]
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { childStopper } from './child-stopper'
import { isMain } from './is-main'
import { REPO_ROOT, seederCliArgs, type SeederProcessOptions } from './seeder-process'
import type { SwarmInfo } from './swarm'

const SELF = fileURLToPath(import.meta.url)

export interface CountingSeeder {
  info: SwarmInfo & { torrentFile: string }
  torrentFile: Uint8Array
  pid: number
  /** Bytes this seeder has uploaded (webtorrent's torrent.uploaded), as last reported (<= 250 ms old). */
  uploaded(): number
  stop(): Promise<void>
}

export function spawnCountingSeeder(opts: SeederProcessOptions): Promise<CountingSeeder> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, ...seederCliArgs(opts)], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const stop = childStopper(child)
  let uploaded = 0
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error('counting seeder printed nothing within 180 s'))
    }, 180_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`counting seeder exited early (code ${code})`))
    })
    const lines = createInterface({ input: child.stdout! })
    let first = true
    lines.on('line', (line) => {
      if (!first) {
        const n = (JSON.parse(line) as { uploaded?: number }).uploaded
        if (typeof n === 'number') uploaded = n
        return
      }
      first = false
      clearTimeout(timer)
      const info = JSON.parse(line) as SwarmInfo & { torrentFile: string }
      resolvePromise({ info, torrentFile: new Uint8Array(Buffer.from(info.torrentFile, 'base64')), pid: child.pid!, uploaded: () => uploaded, stop })
    })
  })
}

async function main(): Promise<void> {
  const { parseCliArgs } = await import('./seeder-cli')
  const { startSwarm, swarmInfoJson } = await import('./swarm')
  const swarm = await startSwarm(parseCliArgs(process.argv.slice(2)))
  process.stdout.write(`${JSON.stringify(swarmInfoJson(swarm))}\n`)
  const client = swarm.seeder.client as unknown as { torrents: { uploaded: number }[] }
  const tick = setInterval(() => {
    process.stdout.write(`${JSON.stringify({ uploaded: client.torrents.reduce((s, t) => s + t.uploaded, 0) })}\n`)
  }, 250)
  const stop = () => {
    clearInterval(tick)
    setTimeout(() => process.exit(0), 10_000).unref()
    swarm.close().finally(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error('[counting-seeder] failed:', err)
    process.exit(1)
  })
}
