import { describe, expect, it } from 'vitest'
import { canTransition, lifecycleOf, type LifecycleFacts, type LifecycleName } from '../../src/core/torrent-lifecycle'

const NAMES: LifecycleName[] = ['queued', 'metadata', 'choosing', 'checking', 'downloading', 'seeding', 'paused', 'done', 'error']

/** A torrent with metadata, incomplete, not running, with a free slot. */
const idle: LifecycleFacts = { awaitingFiles: false, hasMetadata: true, paused: false, running: false, ready: false, queued: false, complete: false, goal: null }
const facts = (changes: Partial<LifecycleFacts>): LifecycleFacts => ({ ...idle, ...changes })

const magnetQueued = facts({ hasMetadata: false, queued: true })
const magnetRunning = facts({ hasMetadata: false, running: true })
const choosing = facts({ awaitingFiles: true, running: true })
const checking = facts({ running: true })
const downloading = facts({ running: true, ready: true })
const seeding = facts({ running: true, ready: true, complete: true })
const paused = facts({ paused: true })
const doneByUser = facts({ paused: true, complete: true })
const doneByGoal = facts({ complete: true, goal: 'ratio' })
const errored = facts({ error: 'ENGINE' })

/** Every legal transition, as a change of what the engine knows that causes it. */
const TRANSITIONS: [LifecycleName, LifecycleName, string, LifecycleFacts, LifecycleFacts][] = [
  ['queued', 'metadata', 'the queue starts a magnet', magnetQueued, magnetRunning],
  ['queued', 'checking', 'the queue starts a torrent', facts({ queued: true }), checking],
  ['queued', 'downloading', 'started, resume data made the check instant', facts({ queued: true }), downloading],
  ['queued', 'seeding', 'a complete torrent started, instantly checked', facts({ queued: true, complete: true }), seeding],
  ['queued', 'choosing', 'a magnet started and its metadata came at once', facts({ hasMetadata: false, awaitingFiles: true, queued: true }), choosing],
  ['queued', 'paused', 'paused while waiting', facts({ queued: true }), paused],
  ['queued', 'done', 'a complete torrent is being started', facts({ queued: true, complete: true }), facts({ complete: true })],
  ['queued', 'error', 'starting failed', facts({ queued: true }), errored],
  ['metadata', 'choosing', 'the metadata came, files to choose', facts({ hasMetadata: false, awaitingFiles: true, running: true }), choosing],
  ['metadata', 'checking', 'the metadata came', magnetRunning, checking],
  ['metadata', 'downloading', 'the metadata came after webtorrent checked', magnetRunning, downloading],
  ['metadata', 'seeding', 'the metadata came, the files were on disk', magnetRunning, seeding],
  ['metadata', 'queued', 'restarted after a stall', magnetRunning, magnetQueued],
  ['metadata', 'paused', 'paused before the metadata came', magnetRunning, facts({ hasMetadata: false, paused: true })],
  ['metadata', 'error', 'the peers sent bad metadata', magnetRunning, errored],
  ['choosing', 'checking', 'files chosen', choosing, checking],
  ['choosing', 'downloading', 'files chosen, nothing on disk', choosing, downloading],
  ['choosing', 'seeding', 'files chosen that are on disk', choosing, seeding],
  ['choosing', 'queued', 'files chosen, no slot', choosing, facts({ queued: true })],
  ['choosing', 'paused', 'files chosen paused', choosing, paused],
  ['choosing', 'done', 'files chosen paused that are on disk', choosing, doneByUser],
  ['choosing', 'error', 'webtorrent failed', choosing, errored],
  ['checking', 'downloading', 'the check ended, pieces missing', checking, downloading],
  ['checking', 'seeding', 'the check ended, all there', checking, seeding],
  ['checking', 'queued', 'a lower download limit stopped it', checking, facts({ queued: true })],
  ['checking', 'paused', 'paused during the check', checking, paused],
  ['checking', 'done', 'paused during the check, complete', facts({ running: true, complete: true }), doneByUser],
  ['checking', 'error', 'storage failed', checking, errored],
  ['downloading', 'seeding', 'the last piece verified', downloading, seeding],
  ['downloading', 'checking', 're-check', downloading, checking],
  ['downloading', 'queued', 'restarted after a stall', downloading, facts({ queued: true })],
  ['downloading', 'paused', 'paused, or the disk filled', downloading, facts({ paused: true, pausedBecause: 'QUOTA' })],
  ['downloading', 'error', 'webtorrent failed', downloading, errored],
  ['seeding', 'downloading', 'a skipped file wanted', seeding, downloading],
  ['seeding', 'checking', 're-check', seeding, checking],
  ['seeding', 'queued', 'waits for a seeding slot', seeding, facts({ complete: true, queued: true })],
  ['seeding', 'done', 'its seeding goal stopped it', seeding, doneByGoal],
  ['seeding', 'error', 'webtorrent failed', seeding, errored],
  ['paused', 'queued', 'Resume', paused, facts({ queued: true })],
  ['paused', 'done', 'what it missed was skipped', paused, doneByUser],
  ['done', 'queued', 'Seed pressed, no seeding slot', doneByGoal, facts({ complete: true, queued: true })],
  ['done', 'checking', 're-check', doneByGoal, checking],
  ['done', 'paused', 'a skipped file wanted while paused', doneByUser, paused],
  ['done', 'error', 'starting failed', doneByGoal, errored],
  ['error', 'queued', 'Resume', errored, facts({ queued: true })],
  ['error', 'done', 'Resume on a complete torrent', errored, facts({ complete: true })],
]

describe('a torrent lifecycle', () => {
  it('names the state the facts say, first rule first', () => {
    expect(lifecycleOf(facts({ error: 'ENGINE', awaitingFiles: true, paused: true }))).toEqual({ name: 'error', code: 'ENGINE' })
    expect(lifecycleOf(facts({ awaitingFiles: true, paused: true }))).toEqual({ name: 'choosing' })
    // a magnet waiting for its metadata to choose files is not choosing yet
    expect(lifecycleOf(facts({ awaitingFiles: true, hasMetadata: false, running: true }))).toEqual({ name: 'metadata' })
    expect(lifecycleOf(paused)).toEqual({ name: 'paused' })
    expect(lifecycleOf(facts({ paused: true, pausedBecause: 'QUOTA' }))).toEqual({ name: 'paused', because: 'QUOTA' })
    expect(lifecycleOf(doneByUser)).toEqual({ name: 'done', stoppedBy: 'user' })
    expect(lifecycleOf(facts({ paused: true, complete: true, goal: 'time' }))).toEqual({ name: 'done', stoppedBy: 'user' })
    expect(lifecycleOf(doneByGoal)).toEqual({ name: 'done', stoppedBy: 'goal', goal: 'ratio' })
    expect(lifecycleOf(facts({ complete: true }))).toEqual({ name: 'done', stoppedBy: 'queue' })
    expect(lifecycleOf(facts({ complete: true, queued: true, goal: 'time' }))).toEqual({ name: 'queued' })
    expect(lifecycleOf(idle)).toEqual({ name: 'queued' })
    expect(lifecycleOf(magnetRunning)).toEqual({ name: 'metadata' })
    expect(lifecycleOf(checking)).toEqual({ name: 'checking' })
    expect(lifecycleOf(downloading)).toEqual({ name: 'downloading' })
    expect(lifecycleOf(seeding)).toEqual({ name: 'seeding' })
  })

  for (const [from, to, cause, before, after] of TRANSITIONS) {
    it(`${from} → ${to}: ${cause}`, () => {
      expect(lifecycleOf(before).name).toBe(from)
      expect(lifecycleOf(after).name).toBe(to)
      expect(canTransition(from, to)).toBe(true)
    })
  }

  const legal = new Set(TRANSITIONS.map(([from, to]) => `${from}→${to}`))
  for (const from of NAMES) {
    for (const to of NAMES) {
      if (from === to || legal.has(`${from}→${to}`)) continue
      it(`${from} → ${to} is illegal`, () => {
        expect(canTransition(from, to)).toBe(false)
      })
    }
  }

  it('staying in a state, with other details, is no transition', () => {
    for (const name of NAMES) expect(canTransition(name, name)).toBe(true)
  })
})
