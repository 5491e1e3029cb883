import type { ErrorCode } from '../protocol/errors'
import type { TorrentState } from '../protocol/engine-events'
import type { SeedingGoal } from './queue'

/*
 * A torrent's life, one state at a time.
 *
 * States
 * - queued       wants to run; the queue has no slot for it yet (or it is being started)
 * - metadata     runs in webtorrent; a magnet waiting for its metadata from peers
 * - choosing     the metadata is here; waiting for the person to choose files ("ask which files")
 * - checking     runs; webtorrent verifies the data already on disk
 * - downloading  runs, some wanted piece still missing
 * - seeding      runs, every wanted piece verified
 * - paused       stopped by the person, or by a full disk (`because`: the error code)
 * - done         complete and not running: paused by the person, stopped by its seeding goal
 *                (`goal`), or about to seed / waiting for a seeding slot (`stoppedBy: 'queue'`)
 * - error        stopped by an error it cannot recover from (`code`); Resume clears it
 *
 * Which state a torrent is in follows from what the engine knows of it (`lifecycleOf`, the
 * first rule that matches wins): an error; files to choose; paused (done if complete); not
 * running (queued, or done if complete and not waiting for a slot); no metadata yet; not yet
 * verified (checking); complete (seeding) or not (downloading).
 *
 * Transitions (`canTransition`), each with what causes it:
 * - queued → metadata, checking: the queue started it (a magnet, or a torrent with metadata)
 * - queued → downloading, seeding: started, and resume data made the check instant
 * - queued → choosing: a magnet started and its metadata came before the engine looked again
 * - queued → paused, done: the person paused it (done if it was complete)
 * - queued → done: a complete torrent is being started, or met its seeding goal while waiting
 * - queued → error: starting failed (storage)
 * - metadata → choosing: the metadata came and files are to be chosen
 * - metadata → checking, downloading, seeding: the metadata came; webtorrent checks the disk
 * - choosing → checking, downloading, seeding: the person chose files
 * - choosing → queued, paused, done: chosen files wait for a slot, or were chosen paused
 * - checking → downloading, seeding: the check ended
 * - downloading → seeding: the last wanted piece was verified, or the person skipped what was missing
 * - seeding → downloading: the person wanted a file that was skipped
 * - downloading, seeding, done → checking: a re-check
 * - seeding → done: paused, or stopped by its seeding goal
 * - metadata, choosing, checking, downloading, seeding → queued: the queue stopped it (a lower
 *   limit, a restart after a stall, a seed waiting for a seeding slot)
 * - metadata, choosing, checking, downloading → paused: the person paused it, or the disk filled
 * - checking, done → paused: stopped while incomplete (paused during a check, a re-check of a
 *   paused torrent, a skipped file wanted again while paused)
 * - checking, paused → done: stopped complete, or the person skipped what a paused torrent missed
 * - metadata, choosing, checking, downloading, seeding, done → error: webtorrent or the metadata failed
 * - paused, done, error → queued: Resume (or Seed) pressed; a done torrent's files wanted again
 * - error → done: Resume on a complete torrent, before it starts
 * Anything else is illegal: a torrent never loses its metadata (nothing returns to `metadata`
 * but a queued magnet), only a fresh magnet can be choosing, a torrent that is not running
 * can neither download nor seed without first being queued, and a paused one cannot fail.
 * The same state with other details (a new pause reason, another goal) is no transition.
 */

export type TorrentLifecycle =
  | { name: 'queued' }
  | { name: 'metadata' }
  | { name: 'choosing' }
  | { name: 'checking' }
  | { name: 'downloading' }
  | { name: 'seeding' }
  | { name: 'paused'; because?: ErrorCode }
  | { name: 'done'; stoppedBy: 'user' | 'queue' }
  | { name: 'done'; stoppedBy: 'goal'; goal: SeedingGoal }
  | { name: 'error'; code: ErrorCode }

export type LifecycleName = TorrentLifecycle['name']

/** What the engine knows of a torrent that decides its state. */
export interface LifecycleFacts {
  /** The error that stopped it, if any. */
  error?: ErrorCode
  /** A magnet added with "ask which files" whose files are not yet chosen. */
  awaitingFiles: boolean
  /** Its metadata is here (parsed by us). */
  hasMetadata: boolean
  /** Paused by the person, or by a full disk (`pausedBecause`). */
  paused: boolean
  pausedBecause?: ErrorCode
  /** In webtorrent now. */
  running: boolean
  /** webtorrent verified what is on disk (its `ready`). */
  ready: boolean
  /** Wants to run, but the queue has no slot for it. */
  queued: boolean
  /** Every wanted piece verified. */
  complete: boolean
  /** The seeding goal it met, unless the person chose to seed on past the goals. */
  goal: SeedingGoal | null
}

/** The state the facts say a torrent is in (the rules in the header, in order). */
export function lifecycleOf(facts: LifecycleFacts): TorrentLifecycle {
  if (facts.error) return { name: 'error', code: facts.error }
  if (facts.awaitingFiles && facts.hasMetadata) return { name: 'choosing' }
  if (facts.paused) {
    if (facts.complete) return { name: 'done', stoppedBy: 'user' }
    return facts.pausedBecause ? { name: 'paused', because: facts.pausedBecause } : { name: 'paused' }
  }
  if (!facts.running) {
    if (facts.queued || !facts.complete) return { name: 'queued' }
    return facts.goal ? { name: 'done', stoppedBy: 'goal', goal: facts.goal } : { name: 'done', stoppedBy: 'queue' }
  }
  if (!facts.hasMetadata) return { name: 'metadata' }
  if (!facts.ready) return { name: 'checking' }
  return facts.complete ? { name: 'seeding' } : { name: 'downloading' }
}

const LEGAL: Readonly<Record<LifecycleName, readonly LifecycleName[]>> = {
  queued: ['metadata', 'checking', 'downloading', 'seeding', 'choosing', 'paused', 'done', 'error'],
  metadata: ['choosing', 'checking', 'downloading', 'seeding', 'queued', 'paused', 'error'],
  choosing: ['checking', 'downloading', 'seeding', 'queued', 'paused', 'done', 'error'],
  checking: ['downloading', 'seeding', 'queued', 'paused', 'done', 'error'],
  downloading: ['seeding', 'checking', 'queued', 'paused', 'error'],
  seeding: ['downloading', 'checking', 'queued', 'done', 'error'],
  paused: ['queued', 'done'],
  done: ['queued', 'checking', 'paused', 'error'],
  error: ['queued', 'done'],
}

/** Whether a torrent may go from one state to the other (the transitions in the header). */
export function canTransition(from: LifecycleName, to: LifecycleName): boolean {
  return from === to || LEGAL[from].includes(to)
}

/** The state in the UI's words (protocol/engine-events.ts): the details stay in the lifecycle. */
export function shownState(state: TorrentLifecycle): TorrentState {
  return state.name
}
