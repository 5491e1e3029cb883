/**
 * The worst .torrent files the parser accepts (issue 13), generated: for the tests that add them
 * and for the bench that measures the page's main thread while they are added.
 */
import { bencode } from '../../src/core/torrent-parser/bencode'
import { sanitizePathComponent } from '../../src/core/torrent-parser/sanitize'
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

/** A BitTorrent v2 torrent from a file tree given as a plain object (fake pieces roots, no piece layers). */
function v2Tree(name: string, tree: object, pieceLength = 16 * 1024): Uint8Array {
  return bencode({ info: { name, 'piece length': pieceLength, 'meta version': 2, 'file tree': tree as never } })
}

const FAKE_ROOT = new Uint8Array(32).fill(7)

/**
 * Hostile BitTorrent v2 metainfo (issue 16), each refused with the reason in `refusal`: a file
 * tree deeper than any real one, one whose names pass the limit, one nested past the bencode
 * limit, one that claims more pieces than any torrent we accept, and a piece layer that does not
 * hash to its file's root.
 */
export function hostileV2Torrents(opts: { millionNames?: boolean } = {}): (HostileTorrent & { refusal: RegExp })[] {
  const deep = (depth: number): object => {
    let node: object = { '': { length: 1, 'pieces root': FAKE_ROOT } }
    for (let d = depth - 1; d >= 0; d--) node = { [`d${d}`]: node }
    return node
  }
  const names: Record<string, object> = {}
  // (generating its million names takes seconds: `millionNames: false` leaves it out)
  for (let i = 0; opts.millionNames !== false && i <= 10_000; i++) {
    let node: object = { '': { length: 0 } }
    for (let d = 98; d >= 0; d--) node = { [`${i.toString(36)}-${d}`]: node }
    names[`f${i}`] = node
  }
  const oneFile = (length: number) => ({ 'big.bin': { '': { length, 'pieces root': FAKE_ROOT } } })
  // a file of 3 pieces whose layer holds hashes that do not lead to its root
  const layer = Buffer.concat([Buffer.from('d32:'), Buffer.from(FAKE_ROOT), Buffer.from('96:'), Buffer.alloc(96, 1), Buffer.from('e')])
  const withBadLayer = Buffer.concat([Buffer.from(v2Tree('bad layer', oneFile(3 * 16 * 1024))).subarray(0, -1), Buffer.from('12:piece layers'), layer, Buffer.from('e')])
  return [
    { label: 'a v2 file tree 101 folders deep', listedName: 'deep', bytes: v2Tree('deep', deep(101)), refusal: /nested more than 100 folders deep/ },
    { label: 'a v2 file tree 200 folders deep', listedName: 'deeper', bytes: v2Tree('deeper', deep(200)), refusal: /nested more than 108 deep/ },
    ...(opts.millionNames === false ? [] : [{ label: 'a v2 file tree of 10,001 files 100 deep', listedName: 'names', bytes: v2Tree('names', names), refusal: /more than 1,000,000 folder and file names/ }]),
    { label: 'a v2 file of 2^52 bytes in 16 KiB pieces', listedName: 'huge', bytes: v2Tree('huge', oneFile(2 ** 52)), refusal: /274,877,906,944 pieces; at most 3,355,443/ },
    { label: 'a v2 piece layer that does not hash to its root', listedName: 'bad layer', bytes: new Uint8Array(withBadLayer), refusal: /piece layer of “big\.bin” does not hash to the file's pieces root/ },
  ]
}
