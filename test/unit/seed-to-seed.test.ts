import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { closeIfBothSeed, closeWhenBothSeed } from '../../src/engine/peer-connection/seed-to-seed'

/** A wire as webtorrent keeps it: isSeeder set by its own listener, which runs first. */
class FakeWire extends EventEmitter {
  destroyed = false
  isSeeder = false
  destroy(): void { this.destroyed = true }
  /** The peer's bitfield arrives: webtorrent's listener marks a seeder, then ours run. */
  bitfield(complete: boolean): void {
    this.isSeeder = complete
    this.emit('bitfield')
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('closeWhenBothSeed', () => {
  it('closes the connection once a seeding torrent hears that the peer has every piece', async () => {
    const wire = new FakeWire()
    closeWhenBothSeed(wire, () => true)
    await tick()
    expect(wire.destroyed).toBe(false)
    wire.bitfield(true)
    await tick()
    expect(wire.destroyed).toBe(true)
  })

  it('keeps a seeder while we still download, and a peer that still downloads while we seed', async () => {
    const seeder = new FakeWire()
    closeWhenBothSeed(seeder, () => false)
    seeder.bitfield(true)
    const leecher = new FakeWire()
    closeWhenBothSeed(leecher, () => true)
    leecher.bitfield(false)
    await tick()
    expect(seeder.destroyed).toBe(false)
    expect(leecher.destroyed).toBe(false)
  })

  it("closes a seeder's connection when our download completes", () => {
    const wire = new FakeWire()
    wire.isSeeder = true
    let complete = false
    closeIfBothSeed(wire, () => complete)
    expect(wire.destroyed).toBe(false)
    complete = true
    closeIfBothSeed(wire, () => complete)
    expect(wire.destroyed).toBe(true)
  })
})
