// A webtorrent (Node) leecher as a process: downloads a magnet over WebRTC on loopback into a
// folder, prints ONE line of JSON ({"sha256": {path: hex}, "seconds": n}) and exits 0; exits 1
// with the reason on stderr otherwise. Spawned by Playwright tests (see spawnLeecher) so wrtc
// stays out of the test runner's process.
//
//   node --import tsx test/support/leecher-cli.ts --magnet URI --dir D [--timeout-ms N]
import { spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sha256File, sha256Tree } from './fixtures'
import { isMain } from './is-main'

const HERE = dirname(fileURLToPath(import.meta.url))

export interface LeechResult {
  /** SHA-256 hex of every downloaded file, by its path inside the torrent's folder ('/'-separated). */
  sha256: Record<string, string>
  seconds: number
}

async function leech(magnet: string, dir: string, timeoutMs: number): Promise<LeechResult> {
  const { createLoopbackClient, destroyClient } = await import('./client')
  const client = await createLoopbackClient({ tcpPort: false, webrtc: true })
  const started = performance.now()
  try {
    const torrent = client.add(magnet, { path: dir })
    torrent.on('warning', (err: Error) => console.error('[leecher] warning:', err.message))
    const progress = setInterval(() => console.error(`[leecher] ${(torrent.progress * 100).toFixed(1)}% peers ${torrent.numPeers}`), 5000)
    try {
      await new Promise<void>((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`not done after ${timeoutMs} ms (${(torrent.progress * 100).toFixed(1)}%, ${torrent.numPeers} peers)`)), timeoutMs)
        torrent.once('done', () => { clearTimeout(timer); resolvePromise() })
        torrent.once('error', (err: Error) => { clearTimeout(timer); reject(err) })
      })
    } finally {
      clearInterval(progress)
    }
    const seconds = (performance.now() - started) / 1000
    const root = join(dir, torrent.name)
    const single = torrent.files.length === 1 && (await stat(root).then((s) => s.isFile(), () => false))
    await destroyClient(client) // closes the store before the files are read back
    const sha256: Record<string, string> = {}
    if (single) sha256[torrent.name] = await sha256File(root)
    else Object.assign(sha256, await sha256Tree(root))
    return { sha256, seconds }
  } finally {
    await destroyClient(client).catch(() => {})
  }
}

/** Runs this file as a child process; resolves to what it printed. */
export function spawnLeecher(opts: { magnet: string; dir: string; timeoutMs?: number }): { result: Promise<LeechResult>; stop(): void } {
  const args = ['--import', 'tsx', join(HERE, 'leecher-cli.ts'), '--magnet', opts.magnet, '--dir', opts.dir,
    '--timeout-ms', String(opts.timeoutMs ?? 120_000)]
  const child = spawn(process.execPath, args, { cwd: resolve(HERE, '..', '..'), stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const result = new Promise<LeechResult>((resolvePromise, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (code === 0 && line) resolvePromise(JSON.parse(line) as LeechResult)
      else reject(new Error(`leecher exited (code ${code}, signal ${signal})`))
    })
  })
  return { result, stop: () => { if (child.exitCode === null) child.kill('SIGKILL') } }
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { magnet: { type: 'string' }, dir: { type: 'string' }, 'timeout-ms': { type: 'string' } } })
  if (!values.magnet || !values.dir) {
    console.error('usage: leecher-cli.ts --magnet URI --dir D [--timeout-ms N]')
    process.exit(2)
  }
  // stdin is the parent's pipe: if the parent dies, stop.
  process.stdin.on('end', () => process.exit(3))
  process.stdin.resume()
  leech(values.magnet, values.dir, Number(values['timeout-ms'] ?? 120_000)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)) // wrtc threads keep the process alive
    },
    (err: unknown) => {
      console.error('[leecher] failed:', err)
      process.exit(1)
    },
  )
}
