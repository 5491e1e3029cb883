import { describe, expect, it } from 'vitest'
import { resolveRange } from '../../src/pwa/range'

describe('resolveRange', () => {
  it('answers the forms browsers send', () => {
    expect(resolveRange(null, 100)).toEqual({ kind: 'full', start: 0, end: 99 })
    expect(resolveRange('bytes=0-', 100)).toEqual({ kind: 'partial', start: 0, end: 99 })
    expect(resolveRange('bytes=10-19', 100)).toEqual({ kind: 'partial', start: 10, end: 19 })
    expect(resolveRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 })
    expect(resolveRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 })
    expect(resolveRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 })
  })
  it('refuses what cannot be satisfied, and ignores what it does not understand', () => {
    expect(resolveRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=20-10', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'full', start: 0, end: 99 })
    expect(resolveRange('items=0-1', 100)).toEqual({ kind: 'full', start: 0, end: 99 })
  })
})
