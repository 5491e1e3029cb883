/**
 * BEP 52's peer messages (hash request 21, hashes 22, hash reject 23) on webtorrent's wires. The
 * wire (bittorrent-protocol 5) hands messages it does not know to its public 'unknownmessage'
 * event (the id byte, then the payload), but has no public way to send one: its extension API
 * sends only BEP 10 extended messages (id 20). `_message(id, numbers, data)` is the method every
 * one of its own messages goes through (length prefix, id, payload, through its encryptor if any).
 */

/** What this needs of a wire. */
export interface MessageWire {
  on(event: 'unknownmessage', listener: (message: Uint8Array) => void): unknown
  readonly destroyed?: boolean
}

interface WireInternals {
  _message?: (id: number, numbers: number[], data: Uint8Array | null) => void
}

/** Sends peer message `id` with `payload`; false when this wire cannot (a webtorrent without `_message`, or closed). */
export function sendPeerMessage(wire: MessageWire, id: number, payload: Uint8Array): boolean {
  const send = (wire as WireInternals)._message
  if (typeof send !== 'function' || wire.destroyed) return false
  send.call(wire, id, [], payload)
  return true
}

/** Calls `listener` with each message of id `ids` the wire receives (id byte first, as bittorrent-protocol hands them). */
export function onPeerMessages(wire: MessageWire, ids: readonly number[], listener: (id: number, payload: Uint8Array) => void): void {
  wire.on('unknownmessage', (message) => {
    const id = message[0]
    if (id !== undefined && ids.includes(id)) listener(id, message.subarray(1))
  })
}
