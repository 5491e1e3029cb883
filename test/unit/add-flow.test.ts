import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AddFlow, MAX_OPENED_FILE_BYTES, sharedLink, type AddChooser } from '../../src/engine/download-manager/add-flow'
import type { AddOptions, AddSource } from '../../src/engine/download-manager/add-source'
import type { EngineApi } from '../../src/engine/download-manager/engine-api'
import { t } from '../../src/i18n/i18n'
import { AppError } from '../../src/protocol/errors'

const INFO_HASH = 'c9e15763f722f23e98a29decdfae341b98d53056'
const MAGNET = `magnet:?xt=urn:btih:${INFO_HASH}&dn=Cosmos`
const TORRENT_BYTES = new TextEncoder().encode('d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee')

/** A served .torrent on loopback: the flow fetches URLs itself, so their files can be chosen first. */
let server: Server
let base = ''
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/a.torrent') res.writeHead(200, { 'content-type': 'application/x-bittorrent' }).end(TORRENT_BYTES)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

interface Setup {
  engine?: boolean
  torrentOptions?: (bytes: Uint8Array) => Promise<AddOptions | null>
  addFails?: Error
}

/** A flow over an engine that keeps what it is asked to add (the flow's job is what reaches it, and what the person reads). */
function setup(options: Setup = {}) {
  const added: { source: AddSource; options: AddOptions | undefined }[] = []
  const reports: [string, string][] = []
  const chosen: Uint8Array[] = []
  let persisted = 0
  const engine = {
    add: async (source: AddSource, opts?: AddOptions) => {
      if (options.addFails) throw options.addFails
      added.push({ source, options: opts })
      return source.kind === 'magnet' ? source.magnet.infoHash : INFO_HASH
    },
  } as Pick<EngineApi, 'add'> as EngineApi
  const chooser: AddChooser = {
    magnetOptions: () => ({ askFiles: true }),
    torrentOptions: async (bytes) => {
      chosen.push(bytes)
      return options.torrentOptions ? options.torrentOptions(bytes) : { paused: true }
    },
  }
  const flow = new AddFlow({
    engine: () => (options.engine === false ? undefined : engine),
    chooser,
    report: (kind, text) => reports.push([kind, text]),
    added: () => persisted++,
  })
  return { flow, added, reports, chosen, persisted: () => persisted }
}

/**
 * A file far larger than a .torrent, from disk: its stream gives 1 MiB chunks without end, and its
 * `size` must not be asked (Chromium fetches it with a synchronous call to the browser process).
 */
function hugeFile(name: string): File & { pulled(): number } {
  let pulled = 0
  const chunk = new Uint8Array(1024 * 1024)
  const stream = () => new ReadableStream<Uint8Array>({ pull: (c) => { pulled += chunk.byteLength; c.enqueue(chunk) } }, { highWaterMark: 0 })
  return {
    name, stream, pulled: () => pulled,
    get size(): number { throw new Error('asked a file from disk its size') },
  } as unknown as File & { pulled(): number }
}

describe('the add flow', () => {
  it('adds a magnet with the magnet options, and says it was added', async () => {
    const { flow, added, reports, persisted } = setup()
    await flow.addText(`  ${MAGNET} `)
    expect(added).toHaveLength(1)
    expect(added[0]!.source).toMatchObject({ kind: 'magnet', magnet: { infoHash: INFO_HASH, name: 'Cosmos' } })
    expect(added[0]!.options).toEqual({ askFiles: true })
    expect(reports).toEqual([])
    expect(persisted()).toBe(1)
  })

  it('answers text that is no torrent with the add box help, and a broken magnet with what is wrong with it', async () => {
    const { flow, added, reports } = setup()
    await flow.addText('hello there')
    await flow.addText('magnet:?dn=no-hash')
    expect(added).toEqual([])
    expect(reports[0]).toEqual(['error', t('add.help')])
    expect(reports[1]![0]).toBe('error')
    expect(reports[1]![1]).not.toBe(t('add.help'))
    expect(reports[1]![1]).toMatch(/xt|info hash/i)
  })

  it('fetches a torrent URL, lets its files be chosen, and adds those bytes with the choice', async () => {
    const { flow, added, chosen, reports } = setup()
    await flow.addText(`${base}/a.torrent`)
    expect(reports).toEqual([])
    expect(chosen).toEqual([TORRENT_BYTES])
    expect(added).toEqual([{ source: { kind: 'file', bytes: TORRENT_BYTES }, options: { paused: true } }])
  })

  it('says why a torrent URL could not be fetched', async () => {
    const { flow, added, reports } = setup()
    await flow.addText(`${base}/missing.torrent`)
    expect(added).toEqual([])
    expect(reports).toHaveLength(1)
    expect(reports[0]![1]).toContain('404')
  })

  it('adds every one of many files dropped at once, in order, each in a task of its own', async () => {
    const { flow, added } = setup()
    const files = Array.from({ length: 5 }, (_, i) => new File([TORRENT_BYTES], `${i}.torrent`))
    // a timer set now runs before the second file only if the flow ended the task after the first
    let between = -1
    setTimeout(() => { between = added.length }, 0)
    await flow.addFiles(files)
    expect(added).toHaveLength(5)
    expect(between).toBeGreaterThanOrEqual(1)
    expect(between).toBeLessThan(5)
  })

  it('adds nothing when the person cancels the add dialog, and says nothing', async () => {
    const { flow, added, reports, persisted } = setup({ torrentOptions: async () => null })
    await flow.addFileBytes('a.torrent', TORRENT_BYTES)
    expect(added).toEqual([])
    expect(reports).toEqual([])
    expect(persisted()).toBe(0)
  })

  it('refuses a file too large to be a .torrent reading no more of it than the limit, and goes on with the next', async () => {
    const { flow, added, reports } = setup()
    const huge = hugeFile('movie.mkv')
    await flow.addFiles([huge, new File([TORRENT_BYTES], 'a.torrent')])
    expect(huge.pulled()).toBeLessThanOrEqual(MAX_OPENED_FILE_BYTES + 2 * 1024 * 1024)
    expect(reports).toEqual([['error', t('notice.tooLarge', { name: 'movie.mkv' })]])
    expect(added).toEqual([{ source: { kind: 'file', bytes: TORRENT_BYTES, fileName: 'a.torrent' }, options: { paused: true } }])
  })

  it('names the file the engine refused, with its reason', async () => {
    const { flow, reports } = setup({ addFails: new AppError('BAD_TORRENT', 'The info dictionary has no name.') })
    await flow.addFiles([new File([TORRENT_BYTES], 'broken.torrent')])
    expect(reports).toEqual([['error', t('notice.fileFailed', { name: 'broken.torrent', reason: 'The info dictionary has no name.' })]])
  })

  it('says the app is still starting when there is no engine yet', async () => {
    const { flow, added, reports } = setup({ engine: false })
    await flow.addText(MAGNET)
    await flow.addFileBytes('a.torrent', TORRENT_BYTES)
    expect(added).toEqual([])
    expect(reports).toEqual([
      ['error', t('notice.starting')],
      ['error', t('notice.fileFailed', { name: 'a.torrent', reason: t('notice.starting') })],
    ])
  })

  it('takes the link out of shared words', async () => {
    const { flow, added } = setup()
    await flow.addSharedText(`Look at this: ${MAGNET} (found it yesterday)`)
    expect(added.map((a) => a.source.kind === 'magnet' && a.source.magnet.infoHash)).toEqual([INFO_HASH])
    expect(sharedLink(`see ${base}/a.torrent please`)).toBe(`${base}/a.torrent`)
    expect(sharedLink(`  ${INFO_HASH}\n`)).toBe(INFO_HASH)
  })
})
