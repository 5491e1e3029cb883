/**
 * The worst .torrent files the parser accepts (issue 13), generated: for the tests that add them
 * and for the bench that measures the page's main thread while they are added.
 */
import { bencode } from '../../src/core/bencode'
import { sanitizePathComponent } from '../../src/core/sanitize'
import { makeTorrent } from './make-torrent'

export interface HostileTorrent {
  /** What makes it hostile, in words, for test names and the bench's table. */
  label: string
  /** The name the app lists it under once sanitised. */
  listedName: string
  bytes: Uint8Array
}

/** A name of `bytes` dots and spaces ending in a letter: the trim regex of old was quadratic in it. */
export function pathologicalName(bytes: number): string {
  return '. '.repeat(Math.floor(bytes / 2)) + 'x'
}

/** A single-file torrent named `name`: the 195 KiB case (52 s to sanitise in Node 20). */
export function pathologicalNameTorrent(nameBytes = 195 * 1024): HostileTorrent {
  const pieces = new Uint8Array(20).fill(7)
  const name = pathologicalName(nameBytes)
  const bytes = bencode({ info: { name, 'piece length': 16 * 1024, length: 1000, pieces } })
  return { label: `a ${Math.round(nameBytes / 1024)} KiB name of dots and spaces`, listedName: sanitizePathComponent(name), bytes }
}

/** `count` files side by side, one piece each. */
export function manyFilesTorrent(count = 100_000): HostileTorrent {
  const files = Array.from({ length: count }, (_, i) => ({ path: ['many', `file ${String(i).padStart(6, '0')}.bin`], length: 16 * 1024 }))
  const name = `${count.toLocaleString('en-US')} files`
  return { label: name, listedName: name, bytes: makeTorrent({ name, files }) }
}

/** `count` files, each `depth` folders deep in folders of its own: `count * depth` folders in all. */
export function deepPathsTorrent(count = 10_000, depth = 100): HostileTorrent {
  const files = Array.from({ length: count }, (_, i) => ({
    path: [...Array.from({ length: depth - 1 }, (_, d) => `${i.toString(36)}-${d}`), 'leaf.bin'],
    length: 16 * 1024,
  }))
  const name = `${count.toLocaleString('en-US')} files ${depth} deep`
  return { label: `${name}, each in folders of its own`, listedName: name, bytes: makeTorrent({ name, files }) }
}

/** `pieces` 16 KiB pieces (20 bytes of hash each, so 3,000,000 take 57 MiB), in two files. */
export function millionsOfPiecesTorrent(pieces = 3_000_000): HostileTorrent {
  const name = `${pieces.toLocaleString('en-US')} pieces`
  const files = [{ path: ['huge.bin'], length: (pieces - 1) * 16 * 1024 }, { path: ['small.bin'], length: 16 * 1024 }]
  return { label: name, listedName: name, bytes: makeTorrent({ name, files }) }
}
