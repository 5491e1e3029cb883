// A local swarm seeding a folder the caller prepared (e.g. a video made with ffmpeg and its
// subtitles): a WebSocket tracker and a (throttled) webtorrent seeder on loopback. Prints ONE
// line of JSON, then runs until SIGTERM or until stdin closes.
//   node --import tsx test/support/media-seeder-cli.ts --root DIR [--upload-limit B/s] [--piece-length B]
import { parseArgs } from 'node:util'
import { startSeeder } from './seeder'
import { startTracker } from './tracker'

const { values } = parseArgs({
  options: { root: { type: 'string' }, 'upload-limit': { type: 'string' }, 'piece-length': { type: 'string' } },
  strict: true,
})
if (!values.root) throw new Error('--root is required')
const tracker = await startTracker()
const seeder = await startSeeder({
  root: values.root,
  announce: [tracker.wsUrl],
  ...(values['upload-limit'] ? { uploadLimit: Number(values['upload-limit']) } : {}),
  ...(values['piece-length'] ? { pieceLength: Number(values['piece-length']) } : {}),
})
process.stdout.write(`${JSON.stringify({
  magnetURI: seeder.magnetURI, infoHash: seeder.infoHash, name: seeder.name, wsUrl: tracker.wsUrl,
  length: seeder.length, torrentFile: Buffer.from(seeder.torrentFile).toString('base64'),
})}\n`)
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  setTimeout(() => process.exit(0), 10_000).unref()
  // wrtc's native threads keep the process alive after the clients are gone: exit explicitly.
  void Promise.allSettled([seeder.destroy(), tracker.close()]).then(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
