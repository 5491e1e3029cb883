/** What the queue knows of a torrent, in queue order (first = next to start). */
export interface QueueEntry {
  infoHash: string
  /** Paused by the user or by an error: never started by the queue. */
  paused: boolean
  /** All wanted pieces are verified: it would seed. */
  complete: boolean
  /** Its seeding goal is reached: it stops seeding. */
  goalReached: boolean
}

export interface QueueLimits {
  /** At most this many torrents download at once; 0 = no limit. */
  maxActiveDownloads: number
  /** At most this many complete torrents seed at once; 0 = no limit. */
  maxActiveSeeds: number
}

/** Which torrents should run now: downloads and seeds each fill their slots in queue order. */
export function planQueue(entries: readonly QueueEntry[], limits: QueueLimits): { active: Set<string>; queued: Set<string> } {
  const active = new Set<string>()
  const queued = new Set<string>()
  let downloads = 0
  let seeds = 0
  for (const entry of entries) {
    if (entry.paused || (entry.complete && entry.goalReached)) continue
    if (entry.complete) {
      if (limits.maxActiveSeeds === 0 || seeds < limits.maxActiveSeeds) { active.add(entry.infoHash); seeds++ } else queued.add(entry.infoHash)
    } else if (limits.maxActiveDownloads === 0 || downloads < limits.maxActiveDownloads) {
      active.add(entry.infoHash)
      downloads++
    } else {
      queued.add(entry.infoHash)
    }
  }
  return { active, queued }
}

export interface SeedingGoals {
  /** Stop seeding at this upload/size ratio; 0 = never. */
  ratio: number
  /** Stop seeding after this many minutes; 0 = never. */
  minutes: number
}

export type SeedingGoal = 'ratio' | 'time'

/**
 * A met seeding goal stops its torrent this long after it is first seen met. Bytes count as
 * uploaded once written to a peer's connection, but a WebRTC data channel drops what it still
 * buffers when it closes: stopping at once cost a leecher the last blocks it had been sent.
 */
export const GOAL_GRACE_MS = 2000

/** `since`: when the goal was first seen met (undefined while it is not); `stop`: time to stop the torrent. */
export function goalStep(met: boolean, since: number | undefined, now: number): { since: number | undefined; stop: boolean } {
  if (!met) return { since: undefined, stop: false }
  const first = since ?? now
  return { since: first, stop: now - first >= GOAL_GRACE_MS }
}

/** The seeding goal that is met (the ratio first), or null: the list shows which one stopped it. */
export function seedingGoalMet(uploaded: number, length: number, seededSeconds: number, goals: SeedingGoals): SeedingGoal | null {
  if (goals.ratio > 0 && length > 0 && uploaded / length >= goals.ratio) return 'ratio'
  return goals.minutes > 0 && seededSeconds >= goals.minutes * 60 ? 'time' : null
}
