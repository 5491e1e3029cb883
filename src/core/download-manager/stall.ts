import type { TorrentState } from '../../protocol/engine-events'
import type { TorrentEvent } from './torrent-lifecycle'

/** How long a torrent that wants peers may have none before it is restarted, and the cap. */
export const STALL_FIRST_MS = 15_000
export const STALL_MAX_MS = 5 * 60_000

export interface StallState {
  /** Since when it has had no peers while wanting some; undefined when it has peers. */
  noPeersSince?: number
  /** How long to wait next: doubles after each restart, back to the first wait once peers come. */
  backoffMs?: number
}

/**
 * A WebSocket tracker whose connection fails is retried only minutes later (bittorrent-tracker
 * waits 10 s to 5 min, at random), and a failed WebRTC offer only at the next announce. A
 * torrent that wants peers and has none is restarted instead: after 15 s, then 30 s, 60 s…
 * up to 5 min. `wantsPeers` is false while it checks its own data (a restart would hash it all
 * again), when it is complete, or starting.
 */
export function stallStep(state: StallState, wantsPeers: boolean, peers: number, now: number): { state: StallState; restart: boolean } {
  if (!wantsPeers || peers > 0) {
    return { state: peers > 0 ? { backoffMs: STALL_FIRST_MS } : { ...(state.backoffMs ? { backoffMs: state.backoffMs } : {}) }, restart: false }
  }
  const noPeersSince = state.noPeersSince ?? now
  const backoffMs = state.backoffMs ?? STALL_FIRST_MS
  if (now - noPeersSince < backoffMs) return { state: { noPeersSince, backoffMs }, restart: false }
  return { state: { backoffMs: Math.min(backoffMs * 2, STALL_MAX_MS) }, restart: true }
}

/**
 * The state a torrent shows while a stall restart runs: the one it had before (`before`, Getting
 * metadata or Looking for peers) through the states the restart passes, so the label does not
 * flicker "Getting metadata" → "Queued" → "Getting metadata" every 15 s, 30 s, 60 s… The restart
 * passes queued with no place in line (stopped, about to start again) and checking (started again
 * on its resume data); anything else (running again, paused, failed, or kept waiting in line) ends
 * it: `restarting` false, and the state is shown as it is.
 */
export function shownThroughRestart(state: TorrentState, inLine: boolean, before: TorrentState | undefined): { shown: TorrentState; restarting: boolean } {
  const passing = (state === 'queued' && !inLine) || state === 'checking'
  return before !== undefined && passing ? { shown: before, restarting: true } : { shown: state, restarting: false }
}

/** The events a stall restart itself gives the torrent: the manager's stop, the queue's plan, the runner's start, and the pieces its check verifies. */
const RESTART_EVENTS: ReadonlySet<TorrentEvent['type']> = new Set(['stopped', 'queue-planned', 'started', 'pieces-changed'])

/**
 * Whether a stall restart is still under way after `event` took the torrent to `state`: only
 * while the restart's own events lead it through the states it passes (queued with no wait in
 * line, checking). Anything else ends it: running again (the data checked, metadata to get), a
 * person's pause, resume, re-check or files chosen, an error, the queue keeping it waiting. The
 * session (not a snapshot) asks this on every event, so the marker is gone whether or not a
 * snapshot was taken in between (a re-check later shows "Checking", not the state before the
 * restart).
 */
export function restartGoesOn(event: TorrentEvent, state: TorrentState): boolean {
  if (!RESTART_EVENTS.has(event.type)) return false
  if (state === 'checking') return true
  return state === 'queued' && !('waiting' in event && event.waiting)
}
