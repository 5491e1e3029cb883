import type WebTorrent from 'webtorrent/dist/webtorrent.min.js'
import type { ThrottleGroup, ThrottleGroups, TokenBucket, Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { NO_LIMITS, bucketPlan, wholeRate, type SpeedLimits } from '../../core/download-manager/speed-limits'

type Direction = keyof ThrottleGroups
const DIRECTIONS: Direction[] = ['down', 'up']
const FIELD = { down: 'downloadLimit', up: 'uploadLimit' } as const

type ThrottleGroupClass = new (opts: { rate: number; enabled: boolean }) => ThrottleGroup

/**
 * Speed limits per torrent and over all torrents, on every kind of peer.
 *
 * webtorrent 3 throttles per client only: each peer pipes its connection through one throttle
 * each way from `client.throttleGroups` (speed-limiter), and a torrent reads those groups when it
 * creates the peer (`_addPeer`: WebRTC peers and every stream given to `addPeer`, the bridge's
 * TCP peers too; `addWebSeed`). So each torrent here has its own pair of groups, swapped in while
 * it creates a peer. Their token buckets have the global buckets as parent (limiter's
 * hierarchical buckets): a byte spends from both, and the lower limit wins. The global limit lives
 * here too, so webtorrent's own client groups stay disabled (no peer is given them).
 */
export class TorrentLimits {
  private readonly Group: ThrottleGroupClass
  /** Only their buckets are used, as parents; no peer pipes through them. */
  private readonly global: ThrottleGroups
  private globalLimits: SpeedLimits = NO_LIMITS
  private readonly torrents = new Map<Torrent, { limits: SpeedLimits; groups: ThrottleGroups }>()

  constructor(private readonly client: WebTorrent) {
    // webtorrent bundles speed-limiter without exporting it: its class, through the client's groups
    this.Group = client.throttleGroups.down.constructor as ThrottleGroupClass
    this.global = this.newGroups()
  }

  /** The limits over all torrents (the Settings' fields); applied at once to every peer. */
  setGlobal(limits: SpeedLimits): void {
    const next = { downloadLimit: wholeRate(limits.downloadLimit), uploadLimit: wholeRate(limits.uploadLimit) }
    if (next.downloadLimit === this.globalLimits.downloadLimit && next.uploadLimit === this.globalLimits.uploadLimit) return
    this.globalLimits = next
    for (const direction of DIRECTIONS) {
      const rate = next[FIELD[direction]]
      if (rate) renewBucket(this.global[direction], rate, Math.max(1, Math.floor(rate / 10)), null)
    }
    for (const entry of this.torrents.values()) this.apply(entry)
  }

  /** Call right after `client.add`, before the torrent has peers. */
  attach(torrent: Torrent, limits: SpeedLimits): void {
    const entry = { limits, groups: this.newGroups() }
    this.torrents.set(torrent, entry)
    this.apply(entry)
    this.createPeersWith(torrent, entry.groups)
    torrent.once('close', () => this.torrents.delete(torrent))
  }

  /** A running torrent's own limits changed: its peers hold to them from the next slice on. */
  set(torrent: Torrent, limits: SpeedLimits): void {
    const entry = this.torrents.get(torrent)
    if (!entry) return
    entry.limits = limits
    this.apply(entry)
  }

  private newGroups(): ThrottleGroups {
    return { down: new this.Group({ rate: 0, enabled: false }), up: new this.Group({ rate: 0, enabled: false }) }
  }

  private apply(entry: { limits: SpeedLimits; groups: ThrottleGroups }): void {
    for (const direction of DIRECTIONS) {
      const group = entry.groups[direction]
      const plan = bucketPlan(entry.limits[FIELD[direction]], this.globalLimits[FIELD[direction]])
      if (!plan) {
        group.setEnabled(false)
        continue
      }
      renewBucket(group, plan.rate, plan.sliceBytes, plan.underGlobal ? this.global[direction].bucket : null)
      group.setEnabled(true)
    }
  }

  /** While this torrent creates a peer (synchronously), the client's groups are the torrent's. */
  private createPeersWith(torrent: Torrent, groups: ThrottleGroups): void {
    const client = this.client
    for (const method of ['_addPeer', 'addWebSeed'] as const) {
      const create = torrent[method]
      torrent[method] = function (this: Torrent, ...args: unknown[]) {
        const clientGroups = client.throttleGroups
        client.throttleGroups = groups
        try {
          return create.apply(this, args)
        } finally {
          client.throttleGroups = clientGroups
        }
      }
    }
  }
}

/**
 * A new bucket, not speed-limiter's setRate on the old one: a slice already waiting on the old
 * bucket finishes there, while shrinking a bucket below a waiting slice fails that peer's stream
 * ("Requested tokens … exceeds bucket size"). A new bucket also starts empty: no burst.
 */
function renewBucket(group: ThrottleGroup, rate: number, sliceBytes: number, parent: TokenBucket | null): void {
  group.bucket = null // setRate makes a bucket only when the group has none
  group.setRate(rate, sliceBytes)
  group.bucket!.parentBucket = parent
}
