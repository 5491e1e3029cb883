import { describe, expect, it } from 'vitest'
import { duplicateToClose } from '../../src/core/peer-connection/duplicate-peer'

const HIGH = 'f'.repeat(40)
const LOW = '0'.repeat(40)

describe('duplicateToClose', () => {
  it('keeps the connection opened by the side with the greater peer ID', () => {
    // we are greater: our dial stays, whichever came first
    expect(duplicateToClose(HIGH, LOW, 'outbound', 'inbound')).toBe('newer')
    expect(duplicateToClose(HIGH, LOW, 'inbound', 'outbound')).toBe('older')
    // they are greater: their dial (our inbound) stays
    expect(duplicateToClose(LOW, HIGH, 'outbound', 'inbound')).toBe('older')
    expect(duplicateToClose(LOW, HIGH, 'inbound', 'outbound')).toBe('newer')
  })

  it('both ends reach the same answer', () => {
    // their view of the same pair: our outbound is their inbound
    const ours = duplicateToClose(HIGH, LOW, 'outbound', 'inbound') // closes our inbound = their outbound
    const theirs = duplicateToClose(LOW, HIGH, 'inbound', 'outbound') // closes their newer = their outbound
    expect([ours, theirs]).toEqual(['newer', 'newer'])
  })

  it('closes the newer one when a direction is unknown or both go the same way', () => {
    expect(duplicateToClose(HIGH, LOW, 'unknown', 'inbound')).toBe('newer')
    expect(duplicateToClose(LOW, HIGH, 'outbound', 'unknown')).toBe('newer')
    expect(duplicateToClose(LOW, HIGH, 'inbound', 'inbound')).toBe('newer')
  })
})
