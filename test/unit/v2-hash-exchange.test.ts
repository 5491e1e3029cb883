// BEP 52's hash messages on one wire (src/engine/peer-connection/v2-hash-exchange.ts), against a peer that only
// asks: a flood of hash requests gets at most the ration's answers, the rest rejected without a
// look at the torrent, and requests larger than BEP 52's 512 hashes are rejected. The wire is
// stood in for (bittorrent-protocol's `unknownmessage` event and its `_message` sender): no real
// client floods hash requests on demand.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { MSG_HASHES, MSG_HASH_REJECT, MSG_HASH_REQUEST, encodeHashRequest } from '../../src/core/peer-connection/hash-messages'
import { uncleCount, type HashRequest } from '../../src/core/file-storage/merkle-proof'
import { ANSWERS_PER_SECOND, ANSWER_BURST, HashExchange, type HashExchangeTorrent } from '../../src/engine/peer-connection/v2-hash-exchange'

function setup() {
  const sent: number[] = []
  const wire = Object.assign(new EventEmitter(), {
    destroyed: false,
    _message(id: number) { sent.push(id) },
  })
  let looked = 0
  const torrent: HashExchangeTorrent = {
    answer(request) {
      looked++
      return new Uint8Array((request.length + uncleCount(request)) * 32)
    },
    hashes() {},
    rejected() {},
    misbehaved() { throw new Error('a well-formed request is not misbehaviour') },
    closed() {},
  }
  let clock = 1_000_000
  new HashExchange(wire, torrent, () => clock)
  const ask = (request: HashRequest) => {
    const payload = encodeHashRequest(request)
    const message = new Uint8Array(1 + payload.length)
    message[0] = MSG_HASH_REQUEST
    message.set(payload, 1)
    wire.emit('unknownmessage', message)
  }
  return { sent, ask, looked: () => looked, tick: (ms: number) => { clock += ms } }
}

const request = (length: number): HashRequest => ({ piecesRoot: new Uint8Array(32).fill(7), baseLayer: 0, index: 0, length, proofLayers: 10 })
const count = (sent: number[], id: number) => sent.filter((s) => s === id).length

describe('hash requests from a peer', () => {
  it('a flood is answered up to the burst, then at the ration; the rest rejected without a lookup', () => {
    const { sent, ask, looked, tick } = setup()
    for (let i = 0; i < 1000; i++) ask(request(512))
    expect(count(sent, MSG_HASHES)).toBe(ANSWER_BURST)
    expect(count(sent, MSG_HASH_REJECT)).toBe(1000 - ANSWER_BURST)
    expect(looked()).toBe(ANSWER_BURST)
    tick(1000)
    for (let i = 0; i < 1000; i++) ask(request(512))
    expect(count(sent, MSG_HASHES)).toBe(ANSWER_BURST + ANSWERS_PER_SECOND)
    expect(looked()).toBe(ANSWER_BURST + ANSWERS_PER_SECOND)
  })

  it('a request for more than 512 hashes is rejected, without a lookup', () => {
    const { sent, ask, looked } = setup()
    ask(request(8192))
    ask(request(1024))
    expect(sent).toEqual([MSG_HASH_REJECT, MSG_HASH_REJECT])
    expect(looked()).toBe(0)
    ask(request(512))
    expect(sent.at(-1)).toBe(MSG_HASHES)
  })
})
