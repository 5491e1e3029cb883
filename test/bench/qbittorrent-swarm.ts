// The bridge bench's swarm, shared with its profiler: a generated multi-file torrent made by
// mktorrent (1 MiB pieces, a local HTTP tracker) seeded by qbittorrent-nox, and the server.
import { join } from 'node:path'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { makeTorrent } from '../support/peers/mktorrent'
import type { Daemon } from '../support/peers/process'
import { startQbittorrent } from '../support/peers/qbittorrent'
import { spawnServerProcess } from '../support/server-process'
import type { LocalTracker } from '../support/tracker'

export const PAYLOAD_NAME = 'bench-payload'

/** Writes `sizeMiB` of files under `work/data`, makes the torrent, has qbittorrent-nox (process `seederPid`) seed it; `stop` ends the seeder. */
export async function qbittorrentSwarm(work: string, tracker: LocalTracker, sizeMiB: number) {
  const dataDir = join(work, 'data')
  await writeFixture(dataDir, PAYLOAD_NAME, multiFileFixture(sizeMiB), 11)
  const made = await makeTorrent({ path: join(dataDir, PAYLOAD_NAME), announce: [tracker.httpUrl], pieceLengthLog2: 20, source: 'bench' })
  const qbt = await startQbittorrent()
  try {
    await qbt.seed(made.torrent, made.infoHash, dataDir, 120_000)
  } catch (err) {
    await qbt.stop()
    throw err
  }
  return { made, seederPid: qbt.pid, stop: () => qbt.stop() }
}

/** The compiled server as the bench runs it: loopback only, no DHT, peers on 127.0.0.0/8. */
export function startBenchServer(trackers: string[], nodeFlags: string[] = []): Promise<{ daemon: Daemon; url: string; peerPort: number }> {
  return spawnServerProcess(['--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--trackers', trackers.join(','),
    '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-bootstrap', 'none', '--allow-net', '127.0.0.0/8'], 30_000, nodeFlags)
}
