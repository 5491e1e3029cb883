// A local swarm as a process: writes the multi-file fixture, starts a tracker (unless --tracker)
// and a seeder, prints ONE line of JSON on stdout, and runs until SIGTERM/SIGINT or until its
// stdin (when it is a pipe or a terminal) closes.
//
//   npx tsx test/support/seeder-cli.ts --dir D --name N --size-mib 64 [--tracker-port P]
//     [--tracker URL]... [--announce ws,http,udp] [--piece-length BYTES] [--seed N]
//     [--no-webrtc] [--tcp-port P] [--upload-limit BYTES_PER_S] [--initiate]
//     [--files '[{"path":"a/b.bin","length":N},...]']   (a layout of its own instead of --size-mib's)
//
// stdout: {"magnetURI","infoHash","wsUrl","torrentFile":"<base64>","sha256":{path:hex},...}
// (see SwarmInfo in swarm.ts). Everything else goes to stderr.
// Playwright tests: spawnSeeder() in seeder-process.ts runs this and parses the line (keeping
// wrtc out of the Playwright process); or import startSwarm from here (or swarm.ts) directly.
import { fstatSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { isMain } from './is-main'
import type { FixtureFile } from './fixtures'
import { startSwarm, swarmInfoJson, type SwarmOptions, type TrackerKind } from './swarm'

export { startSwarm, swarmInfoJson } from './swarm'
export type { Swarm, SwarmInfo, SwarmOptions } from './swarm'

function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new Error(`--${flag}: not a number: ${value}`)
  return n
}

/** --files: a JSON list of { path, length }, as FixtureFile. */
function parseFiles(json: string): FixtureFile[] {
  const list: unknown = JSON.parse(json)
  const ok = (f: unknown): f is FixtureFile => typeof f === 'object' && f !== null
    && typeof (f as FixtureFile).path === 'string' && Number.isSafeInteger((f as FixtureFile).length) && (f as FixtureFile).length >= 0
  if (!Array.isArray(list) || list.length === 0 || !list.every(ok)) throw new Error(`--files: not a list of { path, length }: ${json.slice(0, 200)}`)
  return list.map(({ path, length }) => ({ path, length }))
}

export function parseCliArgs(argv: string[]): SwarmOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      dir: { type: 'string' },
      name: { type: 'string' },
      'size-mib': { type: 'string' },
      seed: { type: 'string' },
      tracker: { type: 'string', multiple: true },
      'tracker-port': { type: 'string' },
      announce: { type: 'string' },
      'piece-length': { type: 'string' },
      'no-webrtc': { type: 'boolean' },
      'tcp-port': { type: 'string' },
      'upload-limit': { type: 'string' },
      initiate: { type: 'boolean' },
      files: { type: 'string' },
    },
  })
  const opts: SwarmOptions = {}
  if (values.dir) opts.dir = values.dir
  if (values.name) opts.name = values.name
  const sizeMiB = parseNumber('size-mib', values['size-mib'])
  if (sizeMiB !== undefined) opts.sizeMiB = sizeMiB
  const seed = parseNumber('seed', values.seed)
  if (seed !== undefined) opts.seed = seed
  if (values.tracker?.length) opts.trackers = values.tracker
  const trackerPort = parseNumber('tracker-port', values['tracker-port'])
  if (trackerPort !== undefined) opts.trackerPort = trackerPort
  if (values.announce) {
    const kinds = values.announce.split(',').map((s) => s.trim())
    for (const k of kinds) if (k !== 'ws' && k !== 'http' && k !== 'udp') throw new Error(`--announce: unknown kind ${k}`)
    opts.announce = kinds as TrackerKind[]
  }
  const pieceLength = parseNumber('piece-length', values['piece-length'])
  if (pieceLength !== undefined) opts.pieceLength = pieceLength
  if (values['no-webrtc']) opts.webrtc = false
  const tcpPort = parseNumber('tcp-port', values['tcp-port'])
  if (tcpPort !== undefined) opts.tcpPort = tcpPort
  const uploadLimit = parseNumber('upload-limit', values['upload-limit'])
  if (uploadLimit !== undefined) opts.uploadLimit = uploadLimit
  if (values.initiate) opts.initiate = true
  if (values.files !== undefined) opts.files = parseFiles(values.files)
  return opts
}

/** True when fd 0 can signal "parent gone" by EOF: a pipe, a socket or a terminal. */
function stdinIsWatchable(): boolean {
  try {
    const st = fstatSync(0)
    return st.isFIFO() || st.isSocket() || process.stdin.isTTY === true
  } catch {
    return false
  }
}

export async function runCli(argv: string[]): Promise<void> {
  const swarm = await startSwarm(parseCliArgs(argv))
  process.stdout.write(`${JSON.stringify(swarmInfoJson(swarm))}\n`)

  let stopping = false
  const stop = (why: string) => {
    if (stopping) return
    stopping = true
    console.error(`[seeder-cli] stopping (${why})`)
    const force = setTimeout(() => process.exit(0), 10_000)
    force.unref()
    // wrtc's native threads keep the process alive after the clients are gone: exit explicitly.
    swarm.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('[seeder-cli] close failed:', err)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  // TRAP: with stdin on /dev/null (spawn's 'ignore', or `< /dev/null`) stdin ends at once; only a
  // pipe, socket or terminal means "the parent holds the other end", so only those are watched.
  if (stdinIsWatchable()) {
    process.stdin.on('end', () => stop('stdin closed'))
    process.stdin.on('close', () => stop('stdin closed'))
    process.stdin.resume()
  }
}

if (isMain(import.meta.url)) {
  runCli(process.argv.slice(2)).catch((err: unknown) => {
    console.error('[seeder-cli] failed:', err)
    process.exit(1)
  })
}
