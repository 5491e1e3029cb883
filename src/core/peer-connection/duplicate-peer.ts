/**
 * Two connections to one peer (the same peer ID): it dialed the bridge's peer port while the page
 * dialed it. One must go, and both ends should drop the same one, or each closes a different
 * connection and the peer is lost: the connection that stays is the one opened by the side with
 * the greater peer ID, a rule both ends can compute. When a direction is not known (WebRTC), or
 * both go the same way, the newer one goes.
 */
export type WireOrigin = 'outbound' | 'inbound' | 'unknown'

/** Which of the two to close. Peer IDs as 40 hex characters. */
export function duplicateToClose(ourId: string, theirId: string, older: WireOrigin, newer: WireOrigin): 'older' | 'newer' {
  if (older === 'unknown' || newer === 'unknown' || older === newer) return 'newer'
  const keep: WireOrigin = ourId.toLowerCase() > theirId.toLowerCase() ? 'outbound' : 'inbound'
  return older === keep ? 'newer' : 'older'
}
