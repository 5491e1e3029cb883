/** The chunks one after another, cut at `max` bytes when given. */
export function concatBytes(chunks: readonly Uint8Array[], max = Infinity): Uint8Array {
  const out = new Uint8Array(Math.min(max, chunks.reduce((n, c) => n + c.length, 0)))
  let offset = 0
  for (const c of chunks) {
    if (offset >= out.length) break
    const part = c.subarray(0, out.length - offset)
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * True when `view` covers the whole of its own ArrayBuffer (not a SharedArrayBuffer): transferring
 * that buffer then takes nothing from anyone else's bytes.
 */
export function ownsWholeBuffer(view: Uint8Array): view is Uint8Array<ArrayBuffer> {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer
}
