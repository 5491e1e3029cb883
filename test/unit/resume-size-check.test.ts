import { describe, expect, it } from 'vitest'
import { ResumeSizeCheck, resumeCheckOf } from '../../src/workers/file-storage/resume-size-check'
import { AppError } from '../../src/protocol/errors'

const spans = (lengths: number[]) => {
  let offset = 0
  return lengths.map((length) => { const span = { length, offset }; offset += length; return span })
}

const code = (f: () => void) => {
  try {
    f()
    return undefined
  } catch (err) {
    return err instanceof AppError ? err.code : String(err)
  }
}

describe('a trusted resume\'s size check in the storage worker', () => {
  // files of 100, 0, 300 and 50 bytes; the resume data needs file 0 at 100 and file 2 at 250
  const files = spans([100, 0, 300, 50])
  const resume = { fileIndices: [0, 2], minSizes: [100, 250] }

  it('refuses a file found shorter than the resume data needs, at its first open and every use after', () => {
    const check = new ResumeSizeCheck(resume, files)
    expect(code(() => check.opened(0, 100))).toBeUndefined()
    expect(code(() => check.opened(2, 249))).toBe('RESUME_MISMATCH')
    expect(code(() => check.refuseShort(2))).toBe('RESUME_MISMATCH')
    expect(code(() => check.refuseShort(0))).toBeUndefined()
    // a later look (after this session's own writes) does not count: it stays refused
    expect(code(() => check.opened(2, 300))).toBe('RESUME_MISMATCH')
    expect(check.result()).toEqual({ left: 1, short: [2] }) // the zero-length file is still to make
  })

  it('takes a missing file the data needs as short; a file it does not need, missing or short, is fine', () => {
    const check = new ResumeSizeCheck(resume, files)
    expect(code(() => check.opened(3, -1))).toBeUndefined()
    expect(code(() => check.opened(0, -1))).toBe('RESUME_MISMATCH')
    expect(check.result().short).toEqual([0])
  })

  it('hands out the files still to check in batches, the zero-length ones too, until none is left', () => {
    const check = new ResumeSizeCheck(resume, files)
    expect(check.next(2)).toEqual([0, 2])
    check.opened(0, 100, false)
    check.opened(2, 10, false) // found short by a batch: reported, not thrown
    expect(check.result()).toEqual({ left: 1, short: [2] })
    expect(check.next(10)).toEqual([1])
    expect(check.isEmptyFile(1)).toBe(true)
    check.opened(1, 0, false)
    expect(check.result()).toEqual({ left: 0, short: [2] })
    expect(check.next(10)).toEqual([])
  })
})

describe('the size check of a torrent opened with resume data, asked for by the engine', () => {
  const files = spans([100, 0, 300, 50])
  const resume = { fileIndices: [0, 2], minSizes: [100, 250] }

  it('is a RESUME_UNCHECKED failure, never "all fit", when the entry was closed and opened again without resume data (regression: the batches checked nothing)', () => {
    const reopened: { dir: string; resume?: ResumeSizeCheck } = { dir: 'the folder' }
    expect(code(() => resumeCheckOf(reopened))).toBe('RESUME_UNCHECKED')
  })

  it('is a RESUME_UNCHECKED failure when the entry was closed', () => {
    expect(code(() => resumeCheckOf(undefined))).toBe('RESUME_UNCHECKED')
  })

  it('is the entry\'s check while it holds one', () => {
    const entry = { dir: 'the folder', resume: new ResumeSizeCheck(resume, files) }
    expect(resumeCheckOf(entry)).toBe(entry)
  })
})
