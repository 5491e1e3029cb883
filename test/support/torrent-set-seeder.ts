// Seeds many torrents from one webtorrent (Node) process, over TCP only, as a desktop client with
// a big library does: the scale benchmark's local seeders (test/bench/page-scale.ts). The data is
// on disk already (written by the caller, sparse where it is all zeros), so the torrents are added
// with webtorrent's `skipVerify`: hashing 100 GiB of zeros again would only cost time.
//
//   node --import tsx test/support/torrent-set-seeder.ts SPEC.json
//     SPEC: { "torrents": [{ "file": "x.torrent", "path": "DATA_DIR" }, ...], "uploadLimit": BYTES_PER_S }
//
// stdout: ONE line of JSON, {"tcpPort": P, "seeding": N}, once every torrent is ready; runs until
// SIGTERM or until its stdin closes. Everything else goes to stderr.
import { readFile } from 'node:fs/promises'
import { createLoopbackClient, destroyClient } from './client'
import { isMain } from './is-main'
import type { Torrent, WebTorrent } from './webtorrent-types'

export interface TorrentSetSpec {
  torrents: { file: string; path: string }[]
  /** Bytes/s over all torrents; -1 or absent = unlimited. */
  uploadLimit?: number
}

export interface TorrentSet {
  client: WebTorrent
  tcpPort: number
}

/**
 * Seeds every torrent of `spec` from one client that only accepts: it never dials a peer.
 * `onTorrent` sees each torrent as it is added, before any announce (for tests).
 *
 * Why `seedOutgoingConnections: false` and not only numwant 0: bittorrent-tracker's server reads
 * numwant 0 as "the default" (`Number(numwant) || 50`), so at every announce each of the bench's
 * 950 torrents was told the page's bridge port and dialed it: an encrypted dial, for which
 * webtorrent builds a DiffieHellman whose construction checks the prime (~25 ms of CPU, see
 * bridge/peer-connection/mse/mse-crypto.ts), on the seeder's one thread that also answers every
 * dial of the page. Its accept queue held 60 to 120 connections during the fill on a quiet machine
 * (`ss -ltn`, Recv-Q on its port); on a loaded one the page's dials waited in it past the bridge's
 * and webtorrent's timeouts, and small torrents got no connection for minutes (docs/SCALE-WORK.md:
 * with this option, side by side under the same load, the fill took 127 s where it stalled). A
 * complete torrent with this option dials no one, and all of these are complete from the start
 * (skipVerify).
 */
export async function startTorrentSet(spec: TorrentSetSpec, onTorrent: (torrent: Torrent) => void = () => {}): Promise<TorrentSet> {
  const client = await createLoopbackClient({
    tcpPort: 0, webrtc: false, uploadLimit: spec.uploadLimit ?? -1, numwant: 0,
    extra: { seedOutgoingConnections: false },
  })
  const ready = spec.torrents.map(async ({ file, path }) => {
    const torrent = client.add(await readFile(file), { path, skipVerify: true }) as Torrent
    onTorrent(torrent)
    torrent.on('warning', () => {}) // tracker reconnects
    await new Promise<void>((resolve, reject) => {
      if (torrent.ready) return resolve()
      torrent.once('ready', () => resolve())
      torrent.once('error', reject)
    })
  })
  await Promise.all(ready)
  const address = client._connPool?.tcpServer?.address()
  const tcpPort = address && typeof address === 'object' ? address.port : 0
  return { client, tcpPort }
}

async function main(specFile: string): Promise<void> {
  const spec = JSON.parse(await readFile(specFile, 'utf8')) as TorrentSetSpec
  const { client, tcpPort } = await startTorrentSet(spec)
  process.stdout.write(`${JSON.stringify({ tcpPort, seeding: spec.torrents.length })}\n`)
  const stop = () => void destroyClient(client).finally(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()
}

if (isMain(import.meta.url)) {
  main(process.argv[2] ?? '').catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
