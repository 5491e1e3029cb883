// Issue 18, a newcomer's first hour: the whole flow by keyboard alone, help where people get
// stuck, and the app in another language; axe scans at each state on the way.
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expectAccessible } from './a11y'
import { expect, swarmTest as test } from './fixtures'
import { SCREENSHOTS, addDialog, expectNoCspViolations, sha256File } from './harness'
import { expectFocusTrapped, expectFocusVisible, hasFocus, redrawRows, tabTo } from './keyboard'
import { liveChanges, recordLiveRegions } from './live-regions'

// Slow enough (512 KiB/s) that Pause finds it still downloading.
const NAME = 'Newcomer Fixture'
test.use({ swarmOptions: { name: NAME, sizeMiB: 8, uploadLimit: 512 * 1024 } })
const LONG_TRACK = 'album/disc 1/02 - long track.bin'
const SAVED = 'album/disc 1/01 - intro.bin'

const item = (page: Page) => page.getByRole('listitem', { name: NAME })

test('by keyboard alone: add a magnet, choose files, pause, resume, open files, save, remove; dialogs hold and give back the focus', async ({ app, swarm, openPage, tmpDir }) => {
  const page = await openPage(app, { acceptDownloads: true, viewport: { width: 1100, height: 800 }, prepare: recordLiveRegions })
  await expectAccessible(page, 'empty')
  const name = swarm.name

  // Add: Tab to the field, type the magnet, Enter.
  const field = page.getByLabel('Magnet link, info hash or torrent URL')
  await tabTo(page, field)
  await expectFocusVisible(page)
  await page.keyboard.type(swarm.magnetURI)
  await page.keyboard.press('Enter')

  // The add dialog opens by itself once the metadata is here, with the focus inside, and keeps it there.
  const dialog = addDialog(page)
  await expect(dialog).toBeVisible({ timeout: 60_000 })
  expect(await hasFocus(dialog, true), 'the focus moves into the dialog').toBe(true)
  await expectFocusTrapped(page, dialog)
  const longTrack = dialog.getByRole('checkbox', { name: LONG_TRACK })
  await tabTo(page, longTrack)
  await expectFocusVisible(page)
  await page.keyboard.press('Space')
  await expect(longTrack).not.toBeChecked()
  await expectAccessible(page, 'add dialog')
  await tabTo(page, dialog.getByRole('button', { name: 'Add', exact: true }))
  await page.keyboard.press('Enter')
  await expect(dialog).toBeHidden()
  expect(await hasFocus(field), 'the focus is back where it was before the dialog').toBe(true)

  // Pause and resume with one key each; the button keeps the focus as its words change.
  const state = item(page).getByTestId('state')
  await expect(state).toHaveText(/^Downloading/, { timeout: 60_000 })
  await expectAccessible(page, 'downloading')
  const pause = item(page).getByRole('button', { name: `Pause ${name}` })
  await tabTo(page, pause)
  await expectFocusVisible(page)
  await page.keyboard.press('Enter')
  await expect(state).toHaveText('Paused')
  expect(await hasFocus(item(page).getByRole('button', { name: `Resume ${name}` })), 'Resume has the focus Pause had').toBe(true)
  await page.screenshot({ path: `${SCREENSHOTS}/keyboard-paused.png` })
  await page.keyboard.press('Enter')
  await expect(state).toHaveText(/^Downloading|^Seeding/)

  // The peers list and, under More, the trackers list, opened from the keyboard.
  const peers = item(page).getByRole('button', { name: new RegExp(`^Peers of ${name}`) })
  if (await state.textContent() !== 'Seeding' && await peers.count()) {
    await tabTo(page, peers, { back: true })
    await page.keyboard.press('Enter')
    await expect(item(page).getByRole('list', { name: 'Peers' })).toBeVisible()
    await expectAccessible(page, 'peers list')
  }
  const more = item(page).getByLabel(`More actions for ${name}`)
  await tabTo(page, more)
  await page.keyboard.press('Enter')
  const trackers = item(page).getByRole('button', { name: `Trackers of ${name}` })
  await tabTo(page, trackers)
  await page.keyboard.press('Enter')
  await expect(item(page).getByRole('list', { name: 'Trackers' })).toBeVisible()
  await expectAccessible(page, 'trackers list')
  await page.screenshot({ path: `${SCREENSHOTS}/keyboard-trackers.png`, fullPage: true })

  // Done: open the files and save one, Enter on its Save button; the bytes are the seeder's.
  await expect(state).toHaveText('Seeding', { timeout: 120_000 })
  await expectAccessible(page, 'done (seeding)')
  const files = item(page).getByRole('button', { name: `Files of ${name}`, exact: true })
  await tabTo(page, files, { back: true })
  await page.keyboard.press('Enter')
  await expect(files).toHaveAttribute('aria-expanded', 'true')
  const save = item(page).getByRole('button', { name: `Save ${SAVED.split('/').pop()}`, exact: true })
  await tabTo(page, save)
  await expectFocusVisible(page)
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
  const target = join(tmpDir, 'intro.bin')
  await download.saveAs(target)
  expect(await sha256File(target), `SHA-256 of ${SAVED}`).toBe(swarm.sha256[SAVED])
  await expectAccessible(page, 'files list')

  // Settings and Help: Escape closes them and the focus goes back to what opened them.
  const settingsButton = page.getByRole('button', { name: 'Settings', exact: true })
  await tabTo(page, settingsButton, { back: true })
  await page.keyboard.press('Enter')
  const settings = page.getByRole('dialog', { name: 'Settings' })
  await expect(settings).toBeVisible()
  await expectFocusTrapped(page, settings, 10)
  await page.keyboard.press('Escape')
  await expect(settings).toBeHidden()
  expect(await hasFocus(settingsButton), 'Settings has the focus back').toBe(true)
  const helpLink = page.getByRole('link', { name: 'Help', exact: true })
  await tabTo(page, helpLink, { max: 120 })
  await page.keyboard.press('Enter')
  const help = page.getByRole('dialog', { name: 'Help' })
  await expect(help).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(help).toBeHidden()
  expect(await hasFocus(helpLink), 'the Help link has the focus back').toBe(true)
  // the help forgets its address at its `close` event, a moment after it is hidden
  await expect.poll(() => new URL(page.url()).hash, { message: 'the address no longer asks for help' }).toBe('')

  // Remove with its data, from the keyboard; the focus lands in the add field, not on nothing.
  await tabTo(page, item(page).getByRole('button', { name: `Remove ${name}` }))
  await page.keyboard.press('Enter')
  const remove = page.getByRole('dialog', { name: `Remove “${name}”?` })
  await expect(remove).toBeVisible()
  await expectFocusTrapped(page, remove, 8)
  await expectAccessible(page, 'remove dialog')
  await tabTo(page, remove.getByRole('button', { name: 'Remove and delete data' }))
  await page.keyboard.press('Enter')
  await expect(page.getByText('No torrents yet')).toBeVisible()
  await expect.poll(() => hasFocus(field), { message: 'the focus is in the add field after the removal' }).toBe(true)

  // What a screen reader was told: added, finished, removed; never a speed, a percentage or a time left.
  const said = async () => (await liveChanges(page)).map((change) => change.text)
  await expect.poll(said).toContain(`Added “${name}”.`)
  await expect.poll(said).toContain(`“${name}” finished downloading.`)
  await expect.poll(said).toContain(`Removed “${name}” and deleted its data.`)
  const told = await liveChanges(page)
  const ticking = told.filter((change) => /\/s\b|\d%| left\b|estimating/.test(change.text))
  expect(ticking, 'live regions that announced a figure that ticks').toEqual([])
  for (const region of new Set(told.map((change) => change.region))) {
    const texts = told.filter((change) => change.region === region).map((change) => change.text)
    expect(texts.length, `announcements of ${region}: ${texts.join(' | ')}`).toBeLessThan(12)
  }
  expectNoCspViolations(page)
})

test('a magnet that finds no peers leads to help, through the Connectivity panel, which says what is going on; all from the keyboard', async ({ app, openPage }) => {
  const page = await openPage(app, { viewport: { width: 360, height: 740 }, colorScheme: 'dark' })
  // The empty list already points newcomers to the help page.
  await expect(page.getByRole('link', { name: 'Read how it works' })).toBeVisible()

  // An info hash nobody seeds: it waits for metadata, with no peers, and offers to say why.
  const hash = '0123456789abcdef0123456789abcdef01234567'
  const field = page.getByLabel('Magnet link, info hash or torrent URL')
  await field.fill(hash)
  await field.press('Enter')
  const row = page.getByRole('listitem', { name: hash })
  await expect(row.getByTestId('state')).toHaveText('Getting metadata')
  const why = row.getByRole('button', { name: `Why no peers for ${hash}? Show connectivity` })
  await expect(why).toBeVisible()
  await page.screenshot({ path: `${SCREENSHOTS}/no-peers-phone-dark.png` })
  await expectAccessible(page, 'adding (getting metadata, no peers)')

  await tabTo(page, why)
  await page.keyboard.press('Enter')
  const connectivity = page.getByRole('dialog', { name: 'Connectivity' })
  await expect(connectivity).toBeVisible()
  expect(await hasFocus(connectivity, true), 'the focus moves into the panel').toBe(true)
  await expectAccessible(page, 'connectivity panel')
  const helpLink = connectivity.getByRole('link', { name: 'Why a torrent can wait for peers, and what to check' })
  await tabTo(page, helpLink)
  await page.keyboard.press('Enter')
  const help = page.getByRole('dialog', { name: 'Help' })
  await expect(help).toBeVisible()
  const topic = help.getByRole('heading', { name: 'Why a magnet can wait' })
  expect(await hasFocus(topic), 'the help opens at the topic, which has the focus').toBe(true)
  await expect(help).toContainText('Right now: Connected to the whole swarm')
  await expect(help).toContainText('“Getting metadata”')
  await expect(help).toContainText(/This site uses .+ of the .+ the browser allows it\./)
  // Chromium lets a page write into a folder the person picks.
  await expect(help).toContainText('Save all: this browser lets you pick a folder')
  await page.screenshot({ path: `${SCREENSHOTS}/help-phone-dark.png` })
  await expectAccessible(page, 'help')
  // Escape closes one dialog at a time, each giving the focus back to what opened it.
  await page.keyboard.press('Escape')
  await expect(help).toBeHidden()
  expect(await hasFocus(helpLink), 'the help link in the panel has the focus back').toBe(true)
  await page.keyboard.press('Escape')
  await expect(connectivity).toBeHidden()
  expect(await hasFocus(why), '"Why none?" has the focus back').toBe(true)

  // Diagnostics and Remove, opened from the row, give the focus back to their button even when the
  // row was redrawn while they were open: the element that opened them is gone by then.
  await tabTo(page, row.locator('summary'))
  await page.keyboard.press('Enter')
  const diagnosticsButton = row.getByRole('button', { name: `Diagnostics of ${hash}` })
  await tabTo(page, diagnosticsButton)
  await page.keyboard.press('Enter')
  const diagnostics = page.getByRole('dialog', { name: `Diagnostics: ${hash}` })
  await expect(diagnostics).toBeVisible()
  expect(await redrawRows(page), 'the row was drawn anew while Diagnostics was open').toBe(true)
  await page.keyboard.press('Escape')
  await expect(diagnostics).toBeHidden()
  await expect.poll(() => hasFocus(diagnosticsButton), { message: 'Diagnostics has the focus back in the redrawn row' }).toBe(true)

  const removeButton = row.getByRole('button', { name: `Remove ${hash}` })
  await tabTo(page, removeButton, { back: true })
  await page.keyboard.press('Enter')
  const remove = page.getByRole('dialog', { name: `Remove “${hash}”?` })
  await expect(remove).toBeVisible()
  expect(await redrawRows(page), 'the row was drawn anew while Remove was open').toBe(true)
  await page.keyboard.press('Escape')
  await expect(remove).toBeHidden()
  await expect.poll(() => hasFocus(removeButton), { message: 'Remove has the focus back in the redrawn row' }).toBe(true)
  await expect(row).toBeVisible()
  expectNoCspViolations(page)
})

test('in German, by the browser\'s language: the main flow reads German, with German numbers; Settings switches to Spanish and Russian at once, and the choice stays', async ({ app, swarm, openPage, tmpDir }) => {
  const page = await openPage(app, { locale: 'de-DE', acceptDownloads: true, viewport: { width: 360, height: 740 }, colorScheme: 'dark', ready: 'Noch keine Torrents' })
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await expect(page.getByRole('link', { name: 'So funktioniert es' })).toBeVisible()
  await page.screenshot({ path: `${SCREENSHOTS}/de-empty-phone-dark.png` })

  await page.getByLabel('Magnet-Link, Info-Hash oder Torrent-URL').fill(swarm.magnetURI)
  await page.getByRole('button', { name: 'Hinzufügen', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Dateien zum Herunterladen wählen' })
  await expect(dialog).toBeVisible({ timeout: 60_000 })
  const total = dialog.getByRole('status', { name: 'Ausgewählte Größe' })
  const count = swarm.files.length
  await expect(total).toContainText(`${count} von ${count} Dateien ausgewählt`)
  await dialog.getByRole('checkbox', { name: LONG_TRACK }).uncheck()
  await expect(total).toContainText(`${count - 1} von ${count} Dateien ausgewählt`)
  // German numbers: a decimal comma in the sizes.
  await expect(total).toContainText(/\d,\d MiB von \d,\d MiB/)
  await page.screenshot({ path: `${SCREENSHOTS}/de-add-dialog-phone-dark.png` })
  await dialog.getByRole('button', { name: 'Hinzufügen', exact: true }).click()

  const row = item(page)
  const state = row.getByTestId('state')
  await expect(state).toHaveText(/^Wird heruntergeladen/, { timeout: 60_000 })
  await expect(row.getByRole('progressbar', { name: `Fortschritt von ${swarm.name}` })).toBeVisible()
  await expect(row).toContainText(/\d+,\d MiB von \d+,\d MiB · \d+,\d MiB übersprungen/)
  await page.screenshot({ path: `${SCREENSHOTS}/de-downloading-phone-dark.png` })
  // German's longer words still fit a phone: nothing sticks out sideways
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'page width on a 360 px phone').toBeLessThanOrEqual(360)
  await expect(state).toHaveText('Wird verteilt', { timeout: 120_000 })
  await row.getByRole('button', { name: `Dateien von ${swarm.name}`, exact: true }).click()
  await expect(row.getByRole('button', { name: `${SAVED.split('/').pop()} speichern`, exact: true })).toBeEnabled()
  await expect(row.getByLabel(`Priorität von ${LONG_TRACK.split('/').pop()}`)).toHaveValue('0')
  await expect(row).toContainText('übersprungen')
  await page.screenshot({ path: `${SCREENSHOTS}/de-seeding-phone-dark.png`, fullPage: true })
  await expectAccessible(page, 'done, in German')

  // Settings: Español, at once, without a reload.
  await page.getByRole('button', { name: 'Einstellungen', exact: true }).click()
  const settings = page.getByRole('dialog', { name: 'Einstellungen' })
  await expect(settings.getByLabel('Sprache')).toHaveValue('auto')
  await expect(settings.getByRole('option', { name: 'Wie im Browser (Deutsch)' })).toBeAttached()
  await expectAccessible(page, 'settings, in German')
  await settings.getByLabel('Sprache').selectOption('es')
  await expect(page.getByRole('dialog', { name: 'Ajustes' })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'es')
  await page.screenshot({ path: `${SCREENSHOTS}/es-settings-phone-dark.png` })
  await page.getByRole('dialog', { name: 'Ajustes' }).getByRole('button', { name: 'Cerrar' }).click()
  await expect(state).toHaveText('Sembrando')
  await expect(row.getByRole('button', { name: `Guardar ${SAVED.split('/').pop()}`, exact: true })).toBeEnabled()

  // The choice stays over a reload (and wins over the browser's German).
  await page.reload()
  await expect(page.locator('html')).toHaveAttribute('lang', 'es')
  await expect(item(page).getByTestId('state')).toHaveText('Sembrando', { timeout: 60_000 })

  // Русский: Cyrillic unit symbols and the plural forms a count needs.
  await page.getByRole('button', { name: 'Ajustes', exact: true }).click()
  await page.getByRole('dialog', { name: 'Ajustes' }).getByLabel('Idioma').selectOption('ru')
  const russian = page.getByRole('dialog', { name: 'Настройки' })
  await russian.getByRole('button', { name: 'Закрыть' }).click()
  await expect(item(page).getByTestId('state')).toHaveText('Раздача')
  await expect(item(page)).toContainText(/\d+,\d МиБ из \d+,\d МиБ/)
  const russianFiles = item(page).getByRole('button', { name: `Файлы: ${swarm.name}`, exact: true })
  await expect(russianFiles).toContainText(`Файлы (${count})`)
  await russianFiles.click()
  await page.screenshot({ path: `${SCREENSHOTS}/ru-seeding-phone-dark.png`, fullPage: true })

  // Save still gives the seeder's bytes, whatever the language.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    item(page).getByRole('button', { name: `Сохранить ${SAVED.split('/').pop()}`, exact: true }).click(),
  ])
  const target = join(tmpDir, 'intro-ru.bin')
  await download.saveAs(target)
  expect(await sha256File(target)).toBe(swarm.sha256[SAVED])
  expectNoCspViolations(page)
})
