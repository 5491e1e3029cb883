import { describe, expect, it } from 'vitest'
import type { EngineApi } from '../../src/engine/download-manager/engine-api'
import { SaveFlow, type Saver } from '../../src/engine/file-assembly/save-flow'
import { t } from '../../src/i18n/i18n'
import { AppError } from '../../src/protocol/errors'
import type { TorrentSnapshot } from '../../src/protocol/engine-events'
import type { SaveEntry } from '../../src/storage/file-assembly/save-entry'

const INFO_HASH = 'c9e15763f722f23e98a29decdfae341b98d53056'
const FILE = new File([new TextEncoder().encode('the bytes')], 'ignored')
const ENTRIES: SaveEntry[] = [{ path: ['Cosmos', 'a.txt'], open: async () => FILE }]

interface Setup {
  fileFails?: Error
  picker?: boolean
  pickerFails?: Error
}

/** A flow over an engine with one torrent of one file, and a saver that keeps what reached the disk. */
function setup(options: Setup = {}) {
  const reports: [string, string][] = []
  const saved: string[] = []
  const engine = {
    list: () => [{ infoHash: INFO_HASH, files: [{ index: 3, name: 'a.txt' }] }] as unknown as TorrentSnapshot[],
    fileForSave: async (infoHash: string, index: number) => {
      if (options.fileFails) throw options.fileFails
      expect([infoHash, index]).toEqual([INFO_HASH, 3])
      return FILE
    },
    saveEntries: async () => ({ name: 'Cosmos', entries: ENTRIES }),
  } as Pick<EngineApi, 'list' | 'fileForSave' | 'saveEntries'> as EngineApi
  const saver: Saver = {
    downloadFile: (file, name) => { expect(file).toBe(FILE); saved.push(`download ${name}`) },
    canPickFolder: () => options.picker ?? false,
    saveToPickedFolder: async (folder, entries) => {
      if (options.pickerFails) throw options.pickerFails
      saved.push(`folder ${folder}: ${entries.map((e) => e.path.join('/')).join(', ')}`)
    },
    downloadEach: async (entries) => { saved.push(`each ${entries.length}`) },
  }
  const flow = new SaveFlow({ engine: () => engine, report: (kind, text) => reports.push([kind, text]), saver })
  return { flow, reports, saved }
}

describe('the save flow', () => {
  it('saves a file, under its name, from the disk-backed File the engine hands over', async () => {
    const { flow, reports, saved } = setup()
    await flow.saveFile(INFO_HASH, 3)
    expect(saved).toEqual(['download a.txt'])
    expect(reports).toEqual([])
  })

  it('names the file it could not save, with the reason', async () => {
    const { flow, reports, saved } = setup({ fileFails: new AppError('STORAGE', 'That file is no longer in the list.') })
    await flow.saveFile(INFO_HASH, 3)
    expect(saved).toEqual([])
    expect(reports).toEqual([['error', t('notice.saveFailed', { name: 'a.txt', reason: 'That file is no longer in the list.' })]])
  })

  it('saves all into a picked folder where the browser can, and says so; else one download each', async () => {
    const picked = setup({ picker: true })
    await picked.flow.saveAll(INFO_HASH)
    expect(picked.saved).toEqual(['folder Cosmos: Cosmos/a.txt'])
    expect(picked.reports).toEqual([['info', t('notice.savedAll', { count: 1, name: 'Cosmos' })]])
    const each = setup()
    await each.flow.saveAll(INFO_HASH)
    expect(each.saved).toEqual(['each 1'])
    expect(each.reports).toEqual([])
  })

  it('says nothing when the person closes the folder picker, and why otherwise', async () => {
    const closed = setup({ picker: true, pickerFails: new DOMException('The user aborted a request.', 'AbortError') })
    await closed.flow.saveAll(INFO_HASH)
    expect(closed.reports).toEqual([])
    const denied = setup({ picker: true, pickerFails: new DOMException('Permission denied', 'NotAllowedError') })
    await denied.flow.saveAll(INFO_HASH)
    expect(denied.reports).toEqual([['error', t('notice.saveAllFailed', { reason: 'Permission denied' })]])
  })
})
