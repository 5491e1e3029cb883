import type { Page } from '@playwright/test'

/**
 * Turns off "Ask which files to download when adding", as a user who wants whole torrents would:
 * the benches add magnets and time them against clients that have no such dialog.
 */
export async function askFilesOff(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  await page.getByLabel('Ask which files to download when adding', { exact: true }).setChecked(false)
  await page.getByRole('button', { name: 'Close', exact: true }).click()
}
