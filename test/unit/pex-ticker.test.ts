import { afterEach, describe, expect, it } from 'vitest'
import { PexTicker } from '../../src/engine/peer-discovery/pex-ticker'

describe('PexTicker: one timer for every PEX swarm that has something to send', () => {
  let ticker: PexTicker | undefined
  afterEach(() => {
    for (const tick of joined) ticker?.leave(tick)
    joined.length = 0
  })
  const joined: (() => void)[] = []
  const join = (t: PexTicker, tick: () => void) => { joined.push(tick); t.join(tick) }

  it('runs while some swarm is joined, ticks each joined one once a round, and stops when the last leaves', () => {
    ticker = new PexTicker(60_000)
    const ran: string[] = []
    const a = () => ran.push('a')
    const b = () => ran.push('b')
    expect(ticker.running).toBe(false)
    join(ticker, a)
    join(ticker, b)
    join(ticker, a) // joining twice is one member
    expect(ticker.running).toBe(true)
    ticker.fire()
    expect(ran).toEqual(['a', 'b'])
    ticker.leave(a)
    expect(ticker.running).toBe(true)
    ticker.fire()
    expect(ran).toEqual(['a', 'b', 'b'])
    ticker.leave(b)
    expect(ticker.running).toBe(false)
  })

  it('a swarm that leaves during its own tick, or throws, does not stop the others\' ticks', () => {
    const errors: unknown[] = []
    ticker = new PexTicker(60_000, (err) => errors.push(err))
    const ran: string[] = []
    const t = ticker
    const leaving = () => { ran.push('leaving'); t.leave(leaving) }
    const throwing = () => { ran.push('throwing'); throw new Error('bad wire') }
    join(ticker, leaving)
    join(ticker, throwing)
    join(ticker, () => ran.push('last'))
    ticker.fire()
    ticker.fire()
    expect(ran).toEqual(['leaving', 'throwing', 'last', 'throwing', 'last'])
    expect(errors).toHaveLength(2)
  })
})
