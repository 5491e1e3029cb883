import { describe, expect, it } from 'vitest'
import { coalescedUpdate } from '../../src/core/download-manager/coalesced-update'

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))

// What the page's notices (src/pwa/notices.ts) do on each 'added' and 'removed': read the whole
// torrent list once, in the next task, however many torrents came.
describe('coalescedUpdate', () => {
  it('runs once in the next task for 1,000 asks in one task, and reads the list as it is then', async () => {
    const list: number[] = []
    const seen: number[] = []
    const update = coalescedUpdate(() => seen.push(list.length))
    for (let n = 0; n < 1000; n++) {
      list.push(n)
      update.request()
    }
    expect(seen).toEqual([])
    await nextTask()
    expect(seen).toEqual([1000])
    await nextTask()
    expect(seen).toEqual([1000])
  })

  it('runs again for asks after a run', async () => {
    let runs = 0
    const update = coalescedUpdate(() => runs++)
    update.request()
    await nextTask()
    update.request()
    update.request()
    await nextTask()
    expect(runs).toBe(2)
  })

  it('runs nothing pending once cancelled, and can be asked again', async () => {
    let runs = 0
    const update = coalescedUpdate(() => runs++)
    update.request()
    update.cancel()
    await nextTask()
    expect(runs).toBe(0)
    update.request()
    await nextTask()
    expect(runs).toBe(1)
  })
})
