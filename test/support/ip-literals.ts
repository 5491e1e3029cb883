/**
 * IP addresses for the property-based tests, as bytes, and every valid way of writing an IPv6
 * one: the shapes in which strangers send the addresses that core/ip-bytes.ts and
 * core/peer-address.ts canonicalise.
 */
import fc from 'fast-check'

export const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 })
export const ipv6 = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // runs of zero groups, where '::' and its choices live
  fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
    .map((groups) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]))),
  ipv4.map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])),
)

/** A valid spelling of the IPv6 address `bytes`: any case, zero-padded groups, '::' over any zero run (or none), a dotted tail. */
export const ipv6Spelling = (bytes: Uint8Array) => fc.record({
  upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  pad: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 8, maxLength: 8 }),
  compress: fc.nat(),
  dotted: fc.boolean(),
}).map(({ upper, pad, compress, dotted }) => {
  const groups = Array.from({ length: 8 }, (_, i) => {
    const g = ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16)
    const padded = g.padStart(Math.max(g.length, pad[i]!), '0')
    return upper[i] ? padded.toUpperCase() : padded
  })
  const tail = dotted ? [`${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`] : groups.slice(6)
  const all = [...groups.slice(0, 6), ...tail]
  // zero runs in `all`, by index: pick one (or none) to write as '::'
  const runs: [number, number][] = []
  for (let i = 0; i < all.length; i++) {
    if (!/^0+$/.test(all[i]!) || (dotted && i === 6)) continue
    let j = i
    while (j < all.length && /^0+$/.test(all[j]!) && !(dotted && j === 6)) j++
    for (let a = i; a < j; a++) for (let b = a + 1; b <= j; b++) runs.push([a, b])
    i = j
  }
  const pick = compress % (runs.length + 1)
  if (pick === runs.length) return all.join(':')
  const [a, b] = runs[pick]!
  return `${all.slice(0, a).join(':')}::${all.slice(b).join(':')}`
})

/** The 16 bytes of `::ffff:a.b.c.d`, an IPv4 address written as IPv6. */
export const mapped = (v4: Uint8Array): Uint8Array => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])

/** An IPv4-mapped IPv6 address as its 4 IPv4 bytes; any other address as it is (the reading every peer list gets). */
export function unmapped(ip: Uint8Array): Uint8Array {
  return ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : ip
}

/**
 * Whether a TCP peer can be at `ip`, read independently of the code under test: not unspecified,
 * not multicast, not the IPv4 broadcast address, whether written as IPv4 or IPv4-mapped IPv6.
 */
export function dialableModel(ip: Uint8Array): boolean {
  const a = unmapped(ip)
  if (a.length === 4) return a[0] !== 0 && !(a[0]! >= 224 && a[0]! <= 239) && !a.every((b) => b === 255)
  return a[0] !== 0xff && !a.every((b) => b === 0)
}

/** Addresses no TCP peer can have, in both families and the mapped form (the edges of dialableModel). */
export const undialable = fc.constantFrom(
  [0, 0, 0, 0], [0, 1, 2, 3], [224, 0, 0, 1], [239, 255, 255, 255], [255, 255, 255, 255],
  new Array(16).fill(0), [0xff, 2, ...new Array(13).fill(0), 1], [0xff, ...new Array(15).fill(0xff)],
  [...mapped(Uint8Array.from([0, 0, 0, 0]))], [...mapped(Uint8Array.from([224, 0, 0, 251]))], [...mapped(Uint8Array.from([255, 255, 255, 255]))],
).map((b) => Uint8Array.from(b))
