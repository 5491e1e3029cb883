// A peer that accepts TCP and then says nothing (a tarpit): the bridge says OPENED, but no
// BitTorrent handshake ever comes. The page's PeerService must count each such dial as a failure
// (core/peer-connection/dial-outcome.ts): back off, then forget the peer after its most failures,
// rather than dial it again after every redial delay, forever. The same for one that echoes the
// handshake it was sent (our info-hash in it) and then says nothing, or garbage: only a real
// message after the handshake makes a dial one that worked (core/peer-connection/greeting-watch.ts).
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { PeerService, type PeerTorrent } from '../../src/engine/peer-connection/peers'
import { handshakeMessage } from '../../src/core/peer-connection/seed-wire'
import { waitFor } from './harness'
import { plaintextPage, type PlaintextPage } from './plaintext-page'

const INFO_HASH = 'c0'.repeat(20)

const PEER_ID = Buffer.from('-TW0001-tarpittest01').toString('hex')

/** The page's 68-byte handshake, which the bridge checks before it dials. */
const pageHandshake = (): Uint8Array => handshakeMessage(INFO_HASH, PEER_ID)

/** What each tarpit does with a connection once it has the page's handshake (or at once). */
const TARPITS: { name: string; greet?: (socket: Socket, handshake: Buffer) => void }[] = [
  { name: 'accepts, then silent' },
  { name: 'echoes the handshake, then silent', greet: (socket, handshake) => socket.write(handshake) },
  {
    name: 'echoes the handshake, then sends garbage',
    greet: (socket, handshake) => socket.write(Buffer.concat([handshake, Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')])),
  },
]

for (const { name, greet } of TARPITS) {
  describe(`a tarpit peer (${name})`, () => {
    let page: PlaintextPage | undefined
    let client: BridgeClient
    let tarpit: Server
    const sockets: Socket[] = []
    let accepted = 0

    beforeAll(async () => {
      tarpit = createServer((s) => {
        accepted++
        sockets.push(s)
        s.on('error', () => {})
        if (!greet) return
        // the bridge relays the page's 68-byte handshake first (plaintext: encryption is off)
        let head = Buffer.alloc(0)
        const onData = (chunk: Buffer) => {
          head = Buffer.concat([head, chunk])
          if (head.length < 68) return
          s.off('data', onData)
          greet(s, head.subarray(0, 68))
        }
        s.on('data', onData)
      })
      await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', r))
      // a short idle time ends each silent connection
      page = await plaintextPage({ streamIdleMs: 300 }, INFO_HASH, PEER_ID)
      client = page.client
    }, 30_000)

    afterAll(async () => {
      await page?.close()
      for (const s of sockets) s.destroy()
      await new Promise((r) => tarpit?.close(r))
    })

    it('is dialed a few times with growing delays, then forgotten', async () => {
      // a redial delay shorter than the backoff: without the fix the tarpit "worked" each time and
      // was dialed again every 50 ms, never forgotten
      const peers = new PeerService(client, { backoff: { minMs: 200, maxMs: 1000, jitter: 0 }, maxFailures: 3, redialAfterMs: 50 })
      try {
        const torrent: PeerTorrent = {
          infoHash: INFO_HASH,
          addPeer(stream) {
            (stream as { write(b: Uint8Array): void }).write(pageHandshake())
            return true
          },
        }
        peers.attach(torrent)
        const port = (tarpit.address() as { port: number }).port
        peers.addCandidates(INFO_HASH, 'tracker', [{ host: '127.0.0.1', port }])
        await waitFor(() => peers.candidateCount(INFO_HASH) === 0, 15_000, 'the tarpit forgotten')
        expect(accepted).toBe(3)
        expect(peers.activeCount).toBe(0)
      } finally {
        peers.destroy()
      }
    }, 30_000)
  })
}
