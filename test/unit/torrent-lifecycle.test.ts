import { describe, expect, it } from 'vitest'
import { canTransition, firstState, next, type LifecycleName, type Standing, type StoredFacts, type TorrentEvent, type TorrentEventType, type TorrentLifecycle } from '../../src/core/download-manager/torrent-lifecycle'

/*
 * Every event in every state, and where it leads: the table of the header of
 * src/core/download-manager/torrent-lifecycle.ts, row by row. Each row is one event (with its details) and what
 * it does in each state: a state, `=` (stays where it was) or `-` (refused).
 */

const STATES = {
  queued: { name: 'queued' },
  metadata: { name: 'metadata' },
  choosing: { name: 'choosing' },
  checking: { name: 'checking' },
  downloading: { name: 'downloading' },
  seeding: { name: 'seeding' },
  paused: { name: 'paused' },
  'paused:QUOTA': { name: 'paused', because: 'QUOTA' },
  'done:user': { name: 'done', stoppedBy: 'user' },
  'done:queue': { name: 'done', stoppedBy: 'queue' },
  'done:goal': { name: 'done', stoppedBy: 'goal', goal: 'ratio' },
  error: { name: 'error', code: 'ENGINE' },
} as const satisfies Record<string, TorrentLifecycle>

type StateKey = keyof typeof STATES
const KEYS = Object.keys(STATES) as StateKey[]
/** Where an event leads: a state's key (or `error:CODE`), `=` stays, `-` refused. */
type Outcome = StateKey | 'error:BAD_TORRENT' | '=' | '-'

const incomplete: Standing = { complete: false, waiting: false, goal: null }
const complete: Standing = { complete: true, waiting: false, goal: null }
const listed: StoredFacts = { choosing: false, paused: false, complete: false, goal: null }

/** One row per event (and details): its outcome in each state, in the order of STATES. */
const ROWS: [string, TorrentEvent, Record<StateKey, Outcome>][] = []
function row(name: string, event: TorrentEvent, outcomes: Outcome[]): void {
  if (outcomes.length !== KEYS.length) throw new Error(`row ${name}: ${outcomes.length} outcomes`)
  ROWS.push([name, event, Object.fromEntries(KEYS.map((key, i) => [key, outcomes[i]!])) as Record<StateKey, Outcome>])
}

//                                                                       queued         metadata   choosing    checking       downloading    seeding        paused         paused:QUOTA   done:user      done:queue     done:goal     error
row('added', { type: 'added', record: listed },                          ['=',           '-',       '-',        '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '-'])
row('restored', { type: 'restored', record: listed },                    ['=',           '-',       '-',        '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '-'])
row('queue-planned: waits', { type: 'queue-planned', ...complete, waiting: true },
                                                                         ['=',           '=',       '=',        '=',           '=',           '=',           '=',           '=',           '=',           'queued',      'queued',     '='])
row('queue-planned: goal met', { type: 'queue-planned', ...complete, goal: 'ratio' },
                                                                         ['done:goal',   '=',       '=',        '=',           '=',           '=',           '=',           '=',           '=',           'done:goal',   '=',          '='])
row('started', { type: 'started', metadata: true },                      ['checking',    '-',       '=',        '-',           '-',           '-',           '-',           '-',           '-',           'checking',    'checking',   '='])
row('started: a magnet', { type: 'started', metadata: false },           ['metadata',    '-',       '=',        '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('metadata-came', { type: 'metadata-came', choosing: false, checked: false, complete: false },
                                                                         ['=',           'checking', '-',       '-',           '-',           '-',           '=',           '=',           'paused',      '=',           '=',          '='])
row('metadata-came: files to choose', { type: 'metadata-came', choosing: true, checked: false, complete: false },
                                                                         ['choosing',    'choosing', '-',       '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('metadata-came: checked, complete', { type: 'metadata-came', choosing: false, checked: true, complete: true },
                                                                         ['=',           'seeding', '-',        '-',           '-',           '-',           'done:user',   'done:user',   '=',           '=',           '=',          '='])
row('checked: pieces missing', { type: 'checked', complete: false },     ['-',           '=',       '=',        'downloading', '=',           'downloading', '=',           '=',           'paused',      '-',           '-',          '='])
row('checked: complete', { type: 'checked', complete: true },            ['-',           '=',       '=',        'seeding',     'seeding',     '=',           'done:user',   'done:user',   '=',           '-',           '-',          '='])
row('pieces-changed: complete', { type: 'pieces-changed', ...complete }, ['done:queue',  '=',       '=',        '=',           'seeding',     '=',           'done:user',   'done:user',   '=',           '=',           'done:queue', '='])
row('pieces-changed: a file wanted again', { type: 'pieces-changed', ...incomplete },
                                                                         ['=',           '=',       '=',        '=',           '=',           'downloading', '=',           '=',           'paused',      'queued',      'queued',     '='])
row('files-chosen: running', { type: 'files-chosen', running: true, checked: false, paused: false, ...incomplete },
                                                                         ['-',           '-',       'checking', '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('files-chosen: checked, on disk', { type: 'files-chosen', running: true, checked: true, paused: false, ...complete },
                                                                         ['-',           '-',       'seeding',  '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('files-chosen: checked, missing', { type: 'files-chosen', running: true, checked: true, paused: false, ...incomplete },
                                                                         ['-',           '-',       'downloading', '-',        '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('files-chosen: paused', { type: 'files-chosen', running: false, checked: false, paused: true, ...incomplete },
                                                                         ['-',           '-',       'paused',   '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('files-chosen: no slot', { type: 'files-chosen', running: false, checked: false, paused: false, ...incomplete, waiting: true },
                                                                         ['-',           '-',       'queued',   '-',           '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('files-chosen: all on disk, not running', { type: 'files-chosen', running: false, checked: false, paused: false, ...complete },
                                                                         ['-',           '-',       'done:queue', '-',         '-',           '-',           '-',           '-',           '-',           '-',           '-',          '='])
row('paused: incomplete', { type: 'paused', complete: false },           ['paused',      'paused',  '=',        'paused',      'paused',      '-',           '=',           'paused',      'paused',      'paused',      'paused',     '='])
row('paused: complete', { type: 'paused', complete: true },              ['done:user',   '-',       '=',        'done:user',   '-',           'done:user',   'done:user',   'done:user',   '=',           'done:user',   'done:user',  '='])
row('disk-full', { type: 'disk-full', because: 'QUOTA', complete: false },
                                                                         ['-',           'paused:QUOTA', '=',   'paused:QUOTA', 'paused:QUOTA', '-',         'paused:QUOTA', '=',          'paused:QUOTA', '-',          '-',          '='])
row('resumed: incomplete', { type: 'resumed', ...incomplete },          ['=',           '=',       '=',        '=',           '=',           '=',           'queued',      'queued',      'queued',      'queued',      'queued',     'queued'])
row('resumed: complete', { type: 'resumed', ...complete },              ['done:queue',  '=',       '=',        '=',           '=',           '=',           'done:queue',  'done:queue',  'done:queue',  '=',           'done:queue', 'done:queue'])
row('stopped: incomplete', { type: 'stopped', ...incomplete },          ['=',           'queued',  '=',        'queued',      'queued',      'queued',      '=',           '=',           'paused',      'queued',      'queued',     '='])
row('stopped: its goal met', { type: 'stopped', ...complete, goal: 'ratio' },
                                                                         ['done:goal',   '-',       '=',        'done:goal',   '-',           'done:goal',   'done:user',   'done:user',   '=',           'done:goal',   '=',          '='])
row('stopped: waits for a seeding slot', { type: 'stopped', ...complete, waiting: true },
                                                                         ['=',           'queued',  '=',        'queued',      'queued',      'queued',      'done:user',   'done:user',   '=',           'queued',      'queued',     '='])
row('recheck', { type: 'recheck' },                                      ['=',           '=',       '=',        '=',           '=',           '=',           '=',           '=',           'paused',      'queued',      'queued',     '='])
row('failed', { type: 'failed', code: 'BAD_TORRENT' },                   ['error:BAD_TORRENT', 'error:BAD_TORRENT', 'error:BAD_TORRENT', 'error:BAD_TORRENT', 'error:BAD_TORRENT', 'error:BAD_TORRENT', '-', '-', 'error:BAD_TORRENT', 'error:BAD_TORRENT', 'error:BAD_TORRENT', 'error:BAD_TORRENT'])

function expected(from: StateKey, outcome: Outcome): TorrentLifecycle | 'refused' {
  if (outcome === '-') return 'refused'
  if (outcome === '=') return STATES[from]
  if (outcome === 'error:BAD_TORRENT') return { name: 'error', code: 'BAD_TORRENT' }
  return STATES[outcome]
}

describe('a torrent lifecycle', () => {
  for (const [name, event, outcomes] of ROWS) {
    for (const from of KEYS) {
      const want = expected(from, outcomes[from])
      it(`${name} in ${from}: ${want === 'refused' ? 'refused' : want.name}`, () => {
        const step = next(STATES[from], event)
        if (want === 'refused') expect(step).toHaveProperty('refused.from', STATES[from].name)
        else expect(step).toEqual({ state: want })
      })
    }
  }

  it('the table has a row for every event', () => {
    const types: TorrentEventType[] = ['added', 'restored', 'queue-planned', 'started', 'metadata-came', 'checked', 'pieces-changed', 'files-chosen', 'paused', 'disk-full', 'resumed', 'stopped', 'recheck', 'failed']
    expect(new Set(ROWS.map(([, event]) => event.type))).toEqual(new Set(types))
  })

  it('never takes a step the graph forbids', () => {
    for (const [, event] of ROWS) {
      for (const from of KEYS) {
        const step = next(STATES[from], event)
        if ('state' in step) expect(canTransition(STATES[from].name, step.state.name)).toBe(true)
      }
    }
  })

  it('a listed torrent starts where its stored record says, the error first, then choosing, then a pause', () => {
    expect(firstState({ ...listed, error: 'BAD_TORRENT', choosing: true, paused: true })).toEqual({ name: 'error', code: 'BAD_TORRENT' })
    expect(firstState({ ...listed, choosing: true, paused: true })).toEqual({ name: 'choosing' })
    expect(firstState({ ...listed, paused: true })).toEqual({ name: 'paused' })
    expect(firstState({ ...listed, paused: true, pausedBecause: 'QUOTA' })).toEqual({ name: 'paused', because: 'QUOTA' })
    expect(firstState({ ...listed, paused: true, complete: true, goal: 'time' })).toEqual({ name: 'done', stoppedBy: 'user' })
    expect(firstState({ ...listed, complete: true, goal: 'ratio' })).toEqual({ name: 'done', stoppedBy: 'goal', goal: 'ratio' })
    expect(firstState({ ...listed, complete: true })).toEqual({ name: 'done', stoppedBy: 'queue' })
    expect(firstState(listed)).toEqual({ name: 'queued' })
    for (const [record, state] of [[{ ...listed, error: 'BAD_TORRENT' }, 'error'], [{ ...listed, complete: true }, 'done']] as const) {
      expect(next({ name: 'queued' }, { type: 'restored', record })).toHaveProperty('state.name', state)
    }
  })

  it('the graph: what it allows, and what it never does', () => {
    const names: LifecycleName[] = ['queued', 'metadata', 'choosing', 'checking', 'downloading', 'seeding', 'paused', 'done', 'error']
    for (const name of names) expect(canTransition(name, name)).toBe(true)
    expect(canTransition('downloading', 'seeding')).toBe(true)
    expect(canTransition('paused', 'error')).toBe(false)
    expect(canTransition('queued', 'seeding')).toBe(false)
    for (const from of names) if (from !== 'queued' && from !== 'metadata') expect(canTransition(from, 'metadata')).toBe(false)
  })
})
