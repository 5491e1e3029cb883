/**
 * IP literal text <-> bytes, pure and realm-free (the page has no `net` module). Used by the
 * bridge frame codec so peer lists travel compactly; policy decisions on ranges live in the
 * bridge (ipaddr.js), not here.
 */

/** 4 bytes for dotted IPv4, null when `text` is not exactly that. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    // no leading zeros: "010" is octal to some parsers and decimal to others
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null
    const n = Number(part)
    if (n > 255) return null
    out[i] = n
  }
  return out
}

/** 16 bytes for IPv6 text (with `::`, an embedded IPv4 tail, no zone), null otherwise. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length > 45 || text.includes('%')) return null
  let head = text
  let v4: Uint8Array | null = null
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.indexOf('.', lastColon) > 0) {
    v4 = parseIPv4(text.slice(lastColon + 1))
    if (!v4) return null
    head = text.slice(0, lastColon + 1) + '0:0' // two placeholder groups, replaced below
  }
  const halves = head.split('::')
  if (halves.length > 2) return null
  const groups = (s: string) => (s === '' ? [] : s.split(':'))
  const left = groups(halves[0]!)
  const right = halves.length === 2 ? groups(halves[1]!) : []
  const total = left.length + right.length
  if (halves.length === 1 ? total !== 8 : total > 7) return null
  const all = [...left, ...Array<string>(8 - total).fill('0'), ...right]
  const out = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    const g = all[i]!
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
    const n = parseInt(g, 16)
    out[i * 2] = n >> 8
    out[i * 2 + 1] = n & 0xff
  }
  if (v4) out.set(v4, 12)
  return out
}

/** Bytes (4 or 16) of an IP literal (IPv6 may be in brackets), null when it is not one. */
export function ipToBytes(text: string): Uint8Array | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  return parseIPv4(bare) ?? parseIPv6(bare)
}

/** Canonical text (RFC 5952 for IPv6: lower case, longest zero run as `::`). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.')
  if (bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`)
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  // IPv4-mapped addresses read best with their IPv4 tail
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`
  }
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}
