// An HTTP BitTorrent tracker (bittorrent-tracker) as a process of its own, for tests that need
// one inside a network namespace: binds HOST:PORT, prints {"listening":"http://HOST:PORT/announce"}
// and runs until SIGTERM or until its stdin closes.
//
//   ip netns exec WAN node --import tsx test/support/tracker-cli.ts --host H --port P
import { parseArgs } from 'node:util'
// @ts-ignore -- bittorrent-tracker ships no types; its `/server` entry loads no client.
import ServerModule from 'bittorrent-tracker/server'

interface HttpTracker {
  listen(port: number, hostname: { http: string }, cb: () => void): void
  close(cb?: () => void): void
  on(event: 'error' | 'warning', fn: (err: Error) => void): void
}
const Server = ServerModule as unknown as new (opts: { http: boolean; udp: boolean; ws: boolean; interval: number }) => HttpTracker

const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' } } })
const tracker = new Server({ http: true, udp: false, ws: false, interval: 5000 })
tracker.on('error', (err) => { console.error(`[tracker] ${err.message}`); process.exit(1) })
tracker.on('warning', () => {}) // malformed requests
tracker.listen(Number(values.port), { http: values.host! }, () => {
  process.stdout.write(`${JSON.stringify({ listening: `http://${values.host}:${values.port}/announce` })}\n`)
})
const stop = () => tracker.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
