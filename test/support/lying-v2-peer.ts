// A hostile BitTorrent v2 peer for the tests (a fault no real client shows on demand): it takes
// connections for one torrent, says it has every piece, never unchokes, and answers every BEP 52
// hash request with hashes of the right count that prove nothing. It announces itself to an HTTP
// tracker from its own loopback address, so a page that bans it by host bans no one else.
import { request } from 'node:http'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { MSG_HASHES, MSG_HASH_REQUEST, decodeHashMessage, encodeHashes, frameMessage } from '../../src/core/peer-connection/hash-messages'
import { uncleCount } from '../../src/core/file-storage/merkle-proof'

export interface LyingPeerConnection {
  /** The connecting client's peer id, as text (webtorrent's start "-WW"). */
  peerId: string
  /** Hash requests it answered with lies. */
  lies: number
  /** Resolves when the other side closed the connection. */
  closed: Promise<void>
}

export interface LyingV2Peer {
  host: string
  port: number
  connections: LyingPeerConnection[]
  /** Announces it to `httpUrl` (an HTTP tracker) for the torrent. */
  announce(httpUrl: string): Promise<void>
  /** Dials 127.0.0.1:`port` from its own address and sends its handshake: true when a handshake comes back, false when the other side hangs up first. */
  dialIn(port: number): Promise<boolean>
  close(): Promise<void>
}

const PROTOCOL = Buffer.from('\x13BitTorrent protocol', 'latin1')

export async function startLyingV2Peer(opts: { host: string; infoHash: string; pieceCount: number }): Promise<LyingV2Peer> {
  const infoHash = Buffer.from(opts.infoHash, 'hex')
  const peerId = Buffer.from('-XX0001-lying-v2peer', 'latin1')
  const connections: LyingPeerConnection[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    let buffered = Buffer.alloc(0)
    let conn: LyingPeerConnection | undefined
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      if (!conn) {
        if (buffered.length < 68) return
        if (!buffered.subarray(0, 20).equals(PROTOCOL) || !buffered.subarray(28, 48).equals(infoHash)) return void socket.destroy()
        conn = { peerId: buffered.subarray(48, 68).toString('latin1'), lies: 0, closed }
        connections.push(conn)
        buffered = buffered.subarray(68)
        const reserved = Buffer.alloc(8)
        reserved[7] = 0x10 // BEP 52: v2 supported
        socket.write(Buffer.concat([PROTOCOL, reserved, infoHash, peerId]))
        const bits = new Uint8Array(Math.ceil(opts.pieceCount / 8))
        for (let i = 0; i < opts.pieceCount; i++) bits[i >> 3]! |= 0x80 >> (i & 7)
        socket.write(frameMessage(5, bits)) // bitfield: every piece
      }
      while (buffered.length >= 4) {
        const length = buffered.readUInt32BE(0)
        if (buffered.length < 4 + length) return
        const message = buffered.subarray(4, 4 + length)
        buffered = buffered.subarray(4 + length)
        if (length === 0 || message[0] !== MSG_HASH_REQUEST) continue
        const parsed = decodeHashMessage(MSG_HASH_REQUEST, message.subarray(1))
        const lie = new Uint8Array((parsed.request.length + uncleCount(parsed.request)) * 32).fill(0xab)
        socket.write(frameMessage(MSG_HASHES, encodeHashes(parsed.request, lie)))
        conn.lies++
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, opts.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    host: opts.host,
    port,
    connections,
    async announce(httpUrl) {
      const query = `info_hash=${[...infoHash].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}` +
        `&peer_id=${[...peerId].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}&port=${port}&uploaded=0&downloaded=0&left=0&event=started&compact=1`
      await new Promise<void>((resolve, reject) => {
        // from its own address: the tracker lists the peer at the address the request came from
        const req = request(`${httpUrl}?${query}`, { localAddress: opts.host }, (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`tracker answered ${res.statusCode}`))))
        })
        req.on('error', reject)
        req.end()
      })
    },
    dialIn(target) {
      return new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: target, localAddress: opts.host })
        let got = 0
        socket.on('connect', () => socket.write(Buffer.concat([PROTOCOL, Buffer.alloc(8), infoHash, peerId])))
        socket.on('data', (chunk) => {
          got += chunk.length
          if (got >= 68) {
            socket.destroy()
            resolve(true)
          }
        })
        socket.on('error', () => {})
        socket.on('close', () => resolve(false))
      })
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
