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
import type { Torrent } from './webtorrent-types'

export interface TorrentSetSpec {
  torrents: { file: string; path: string }[]
  /** Bytes/s over all torrents; -1 or absent = unlimited. */
  uploadLimit?: number
}

async function main(specFile: string): Promise<void> {
  const spec = JSON.parse(await readFile(specFile, 'utf8')) as TorrentSetSpec
  // numwant 0: it only accepts (and answers trackers); the page dials it through the bridge
  const client = await createLoopbackClient({ tcpPort: 0, webrtc: false, uploadLimit: spec.uploadLimit ?? -1, numwant: 0 })
  const ready = spec.torrents.map(async ({ file, path }) => {
    const torrent = client.add(await readFile(file), { path, skipVerify: true }) as Torrent
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
