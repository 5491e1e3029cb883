import type { ErrorCode } from '../../protocol/errors'
import type { TorrentState } from '../../protocol/engine-events'
import type { SeedingGoal } from './queue'

/*
 * A torrent's life, one state at a time: `next(state, event)` is the one place that says where
 * a torrent goes when something happens to it.
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
 * Three outcomes recur below:
 * - "at rest"  : queued if the queue keeps it waiting or it is incomplete; else done, by its goal
 *                if it met one (`goal`), else by the queue (a complete torrent about to seed)
 * - "held"     : done (stoppedBy 'user') if complete, else paused (keeping its `because`)
 * - "by pieces": seeding if complete, else downloading
 * Three states hold on through most events: error (until resumed), choosing (until files are
 * chosen, or it fails), paused and done-by-user (the person's pause outlasts what runs).
 *
 * Events: what happens, the states it is legal in, and where it leads
 * - added, restored {record}   queued (a session just made) → its first state from its stored
 *                               record (`firstState`): error, choosing, held, or at rest
 * - queue-planned {waiting, complete, goal}
 *                               queued, done (queue or goal) → at rest; any other state stays
 * - started {metadata}         queued, done (queue or goal) → checking, or metadata for a magnet
 *                               without it; choosing and error stay
 * - metadata-came {choosing, checked, complete}
 *                               metadata → choosing if files are to be chosen, else checking,
 *                               or by pieces if webtorrent has already checked; queued → choosing
 *                               (it came as the queue stopped it) or stays; held → held (refused
 *                               if files are to be chosen); done (queue, goal) stays; error stays
 * - checked {complete}         (webtorrent's `ready`) checking, downloading, seeding → by
 *                               pieces; metadata (our parse of it not yet back) and choosing
 *                               stay; held → held; error stays
 * - pieces-changed {complete, waiting, goal}
 *                               (a piece verified, or the person changed which files are wanted)
 *                               downloading, seeding → by pieces (Downloading → Seeding: the last
 *                               wanted piece verified; Seeding → Downloading: a skipped file
 *                               wanted again); queued, done (queue, goal) → at rest; held → held;
 *                               metadata, choosing, checking, error stay
 * - files-chosen {running, checked, complete, paused, waiting, goal}
 *                               choosing → held if paused, at rest if not running, checking if
 *                               not yet checked, else by pieces; error stays
 * - paused {complete}          any state → held; choosing and error stay
 * - disk-full {because, complete}
 *                               any running state and held → held, with the reason
 *                               (so Seeding → done); choosing and error stay
 * - resumed {complete, waiting, goal}
 *                               paused, done, queued, error → at rest; running states and
 *                               choosing stay
 * - stopped {complete, waiting, goal}
 *                               (out of webtorrent: the queue stopped it, its seeding goal was
 *                               met, a restart after a stall) running states, queued, done →
 *                               at rest; held → held; choosing and error stay
 * - recheck                    (stopped, its pieces forgotten) queued, done (queue, goal) →
 *                               queued; held → paused; running states, choosing, error stay
 * - failed {code}              any state → error with the code (the latest error's)
 *
 * Every step must also be one the graph below allows (`canTransition`); one that is not, and
 * an event in a state not listed for it, is refused: the session stays where it was and logs
 * it as a bug. The graph:
 * - queued → metadata, checking, choosing, paused, done, error
 * - metadata → choosing, checking, downloading, seeding, queued, paused, error
 * - choosing → checking, downloading, seeding, queued, paused, done, error
 * - checking → downloading, seeding, queued, paused, done, error
 * - downloading → seeding, checking, queued, paused, error
 * - seeding → downloading, checking, queued, done, error
 * - paused → queued, done
 * - done → queued, checking, paused, error
 * - error → queued, done
 * So a torrent never loses its metadata, only a fresh magnet can be choosing, a torrent that is
 * not running can neither download nor seed without first being queued, and a paused one cannot
 * fail. The same state with other details (a new pause reason, another goal) is no transition.
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

/** Where a torrent stands, for the events whose target depends on it. */
export interface Standing {
  /** Every wanted piece verified. */
  complete: boolean
  /** The queue keeps it waiting for a slot. */
  waiting: boolean
  /** The seeding goal it met, unless the person chose to seed on past the goals. */
  goal: SeedingGoal | null
}

/** What a stored torrent says of itself when it is listed (added, or restored at start-up). */
export interface StoredFacts {
  /** The error that stopped it (its metadata would not parse). */
  error?: ErrorCode
  /** A magnet whose metadata is here, its files not yet chosen. */
  choosing: boolean
  paused: boolean
  pausedBecause?: ErrorCode
  complete: boolean
  goal: SeedingGoal | null
}

/** What happens to a torrent (see the header for each one's rule). */
export type TorrentEvent =
  | { type: 'added' | 'restored'; record: StoredFacts }
  | ({ type: 'queue-planned' } & Standing)
  | { type: 'started'; metadata: boolean }
  | { type: 'metadata-came'; choosing: boolean; checked: boolean; complete: boolean }
  | { type: 'checked'; complete: boolean }
  | ({ type: 'pieces-changed' } & Standing)
  | ({ type: 'files-chosen'; running: boolean; checked: boolean; paused: boolean } & Standing)
  | { type: 'paused'; complete: boolean }
  | { type: 'disk-full'; because: ErrorCode; complete: boolean }
  | ({ type: 'resumed' } & Standing)
  | ({ type: 'stopped' } & Standing)
  | { type: 'recheck' }
  | { type: 'failed'; code: ErrorCode }

export type TorrentEventType = TorrentEvent['type']

/** The outcome of an event: the state it leads to, or a refusal (`to`: where it would have led, if anywhere). */
export type Step = { state: TorrentLifecycle } | { refused: { from: LifecycleName; to?: LifecycleName } }

const RUNNING: readonly LifecycleName[] = ['metadata', 'choosing', 'checking', 'downloading', 'seeding']

/** "At rest": not running, waiting for the queue, or done. */
function atRest({ complete, waiting, goal }: Standing): TorrentLifecycle {
  if (waiting || !complete) return { name: 'queued' }
  return goal ? { name: 'done', stoppedBy: 'goal', goal } : { name: 'done', stoppedBy: 'queue' }
}

/** "Held": stopped by the person (or a full disk): done if complete, else paused. */
function held(complete: boolean, because: ErrorCode | undefined): TorrentLifecycle {
  if (complete) return { name: 'done', stoppedBy: 'user' }
  return because ? { name: 'paused', because } : { name: 'paused' }
}

const byPieces = (complete: boolean): TorrentLifecycle => ({ name: complete ? 'seeding' : 'downloading' })

/** Paused, or done by the person's pause. */
function isHeld(state: TorrentLifecycle): state is Extract<TorrentLifecycle, { name: 'paused' }> | { name: 'done'; stoppedBy: 'user' } {
  return state.name === 'paused' || (state.name === 'done' && state.stoppedBy === 'user')
}

const heldReason = (state: TorrentLifecycle): ErrorCode | undefined => (state.name === 'paused' ? state.because : undefined)

/** Queued, or done by the queue or a goal: not running, and not held by the person. */
const isAtRest = (state: TorrentLifecycle): boolean => state.name === 'queued' || (state.name === 'done' && state.stoppedBy !== 'user')

/** A listed torrent's first state, from its stored record (the `added` and `restored` events). */
export function firstState(record: StoredFacts): TorrentLifecycle {
  if (record.error) return { name: 'error', code: record.error }
  if (record.choosing) return { name: 'choosing' }
  if (record.paused) return held(record.complete, record.pausedBecause)
  return atRest({ complete: record.complete, waiting: false, goal: record.goal })
}

/** The state an event leads to from `state` (the rules in the header), before the graph's check; undefined: not legal there. */
function target(state: TorrentLifecycle, event: TorrentEvent): TorrentLifecycle | undefined {
  if (event.type === 'failed') return { name: 'error', code: event.code }
  if (state.name === 'error') return event.type === 'resumed' ? atRest(event) : event.type === 'added' || event.type === 'restored' ? undefined : state
  switch (event.type) {
    case 'added':
    case 'restored':
      return state.name === 'queued' ? firstState(event.record) : undefined
    case 'queue-planned':
      return isAtRest(state) ? atRest(event) : state
    case 'started':
      if (state.name === 'choosing') return state
      return isAtRest(state) ? { name: event.metadata ? 'checking' : 'metadata' } : undefined
    case 'metadata-came':
      if (state.name === 'metadata') return event.choosing ? { name: 'choosing' } : event.checked ? byPieces(event.complete) : { name: 'checking' }
      if (state.name === 'queued') return event.choosing ? { name: 'choosing' } : state
      if (isHeld(state)) return event.choosing ? undefined : held(event.complete, heldReason(state))
      if (state.name === 'done') return event.choosing ? undefined : state
      return undefined
    case 'checked':
      if (state.name === 'checking' || state.name === 'downloading' || state.name === 'seeding') return byPieces(event.complete)
      if (state.name === 'metadata' || state.name === 'choosing') return state
      return isHeld(state) ? held(event.complete, heldReason(state)) : undefined
    case 'pieces-changed':
      if (state.name === 'downloading' || state.name === 'seeding') return byPieces(event.complete)
      if (isHeld(state)) return held(event.complete, heldReason(state))
      return isAtRest(state) ? atRest(event) : state
    case 'files-chosen':
      if (state.name !== 'choosing') return undefined
      if (event.paused) return held(event.complete, undefined)
      if (!event.running) return atRest(event)
      return event.checked ? byPieces(event.complete) : { name: 'checking' }
    case 'paused':
      return state.name === 'choosing' ? state : held(event.complete, undefined)
    case 'disk-full':
      if (state.name === 'choosing') return state
      return RUNNING.includes(state.name) || isHeld(state) ? held(event.complete, event.because) : undefined
    case 'resumed':
      return RUNNING.includes(state.name) ? state : atRest(event)
    case 'stopped':
      if (state.name === 'choosing') return state
      return isHeld(state) ? held(event.complete, heldReason(state)) : atRest(event)
    case 'recheck':
      if (isHeld(state)) return held(false, heldReason(state))
      return isAtRest(state) ? { name: 'queued' } : state
  }
}

/** Where `event` takes a torrent in `state`: the new state, or a refusal (the header's rules and graph). */
export function next(state: TorrentLifecycle, event: TorrentEvent): Step {
  const to = target(state, event)
  if (!to) return { refused: { from: state.name } }
  if (!canTransition(state.name, to.name)) return { refused: { from: state.name, to: to.name } }
  return { state: to }
}

const LEGAL: Readonly<Record<LifecycleName, readonly LifecycleName[]>> = {
  queued: ['metadata', 'checking', 'choosing', 'paused', 'done', 'error'],
  metadata: ['choosing', 'checking', 'downloading', 'seeding', 'queued', 'paused', 'error'],
  choosing: ['checking', 'downloading', 'seeding', 'queued', 'paused', 'done', 'error'],
  checking: ['downloading', 'seeding', 'queued', 'paused', 'done', 'error'],
  downloading: ['seeding', 'checking', 'queued', 'paused', 'error'],
  seeding: ['downloading', 'checking', 'queued', 'done', 'error'],
  paused: ['queued', 'done'],
  done: ['queued', 'checking', 'paused', 'error'],
  error: ['queued', 'done'],
}

/** Whether the graph in the header lets a torrent go from one state to the other. */
export function canTransition(from: LifecycleName, to: LifecycleName): boolean {
  return from === to || LEGAL[from].includes(to)
}

/** The state in the UI's words (protocol/engine-events.ts): the details stay in the lifecycle. */
export function shownState(state: TorrentLifecycle): TorrentState {
  return state.name
}
