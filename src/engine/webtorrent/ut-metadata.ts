/**
 * BEP 9 metadata of a v2-only torrent on webtorrent's wires. Each wire gets webtorrent's own
 * ut_metadata extension (ut_metadata 5, bundled, not exported), before the torrent's 'wire' event;
 * it has no option for another hash:
 *
 * - fetching, it accepts the metadata only when its SHA-1 is the info-hash (`setMetadata`, which
 *   compares with `_infoHash` when it knows one), where BEP 52 says the truncated SHA-256;
 * - serving, it re-encodes the info dictionary from webtorrent's torrent file (`metadata`,
 *   `_metadataSize`, and the extended handshake's `metadata_size` it announces), where peers check
 *   the SHA-256 of the exact bytes.
 *
 * So `setMetadata` of each wire's extension is wrapped: metadata from a peer is checked by the v2
 * torrent (`accept`), and webtorrent's SHA-1 compare is skipped for it; and whatever it was given,
 * the exact info dictionary is what it serves. This runs in the 'wire' event, before the extended
 * handshake that announces the size is sent.
 */

/** What the v2 torrent says about its metadata. */
export interface V2Metadata {
  /** The exact info dictionary, once known (from the .torrent, or accepted from a peer). */
  exactInfo(): Uint8Array | undefined
  /** Metadata a peer sent: true (and kept) when its SHA-256 is the torrent's v2 info-hash. */
  accept(info: Uint8Array): Promise<boolean>
}

interface UtMetadataInternals {
  setMetadata(metadata: Uint8Array): Promise<boolean>
  _infoHash?: string
  _metadataComplete?: boolean
  metadata?: Uint8Array
  _metadataSize?: number | null
  _wire?: { extendedHandshake?: { metadata_size?: number } }
}

function isUtMetadata(ext: unknown): ext is UtMetadataInternals {
  const e = ext as Partial<UtMetadataInternals> | undefined
  return typeof e?.setMetadata === 'function' && typeof e._metadataComplete === 'boolean'
}

/** Hooks the ut_metadata extension of `wire` (webtorrent adds it before the 'wire' event); false when it has none of the known shape. */
export function hookUtMetadata(wire: object, v2: V2Metadata): boolean {
  const ext = (wire as { ut_metadata?: unknown }).ut_metadata
  if (!isUtMetadata(ext)) return false
  const serveExact = (info: Uint8Array) => {
    ext.metadata = info
    ext._metadataSize = info.length
    if (ext._wire?.extendedHandshake) ext._wire.extendedHandshake.metadata_size = info.length
  }
  const known = v2.exactInfo()
  if (known && ext._metadataComplete) serveExact(known)
  const setMetadata = ext.setMetadata
  ext.setMetadata = async function (this: UtMetadataInternals, metadata: Uint8Array): Promise<boolean> {
    if (this._metadataComplete) return true
    let info = v2.exactInfo()
    if (!info) {
      if (!(await v2.accept(metadata))) return false
      info = metadata
    }
    const infoHash = this._infoHash
    this._infoHash = undefined // its SHA-1 compare: the v2 check is done
    let done: boolean
    try {
      done = await setMetadata.call(this, info)
    } finally {
      this._infoHash = infoHash
    }
    if (done) serveExact(info)
    return done
  }
  return true
}
