// The app with a bridge started with --proxy: the Reach line says when the proxy cannot be reached
// (nothing connects meanwhile) and when it is back; Settings shows the server's proxy, read-only.
// The proxy is microsocks, started on the port the bridge was given once the app has said it is down.
import { findFreePort } from '../support/peers/process'
import { expect, test } from './fixtures'
import { SCREENSHOTS, expectNoCspViolations } from './harness'

test('a proxy that is down is said so, and its return too; Settings shows it read-only', async ({ serveApp, openPage, realPeers }) => {
  const port = await findFreePort()
  const proxy = `socks5://127.0.0.1:${port}`
  const app = await serveApp({ args: ['--proxy', proxy] })
  const page = await openPage(app)
  const reach = page.getByRole('status', { name: 'Reach' })
  await expect(reach).toHaveText(`The bridge cannot reach the swarm: the proxy ${proxy} cannot be reached (ECONNREFUSED); nothing connects without it. WebRTC peers meanwhile.`)
  await page.screenshot({ path: `${SCREENSHOTS}/proxy-down.png` })

  await page.getByRole('button', { name: 'Settings' }).click()
  const field = page.getByLabel('Bridge proxy (set by the server, --proxy)')
  await expect(field).toHaveValue(proxy)
  await expect(field).not.toBeEditable()
  await expect(page.getByRole('dialog', { name: 'Settings' })).toContainText('WebRTC peers, WebSocket trackers and ICE servers are reached by this browser itself')
  await field.scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${SCREENSHOTS}/proxy-settings.png` })
  await page.getByRole('button', { name: 'Close' }).click()

  // the bridge looks again every 10 s while its proxy is down
  await realPeers.microsocks({ bind: '127.0.0.1', port })
  await expect(reach).toHaveText(new RegExp(`^Connected to the whole swarm through the bridge's proxy ${proxy.replace(/\./g, '\\.')}: TCP peers and HTTP/UDP trackers \\(no DHT behind a proxy\\)`), { timeout: 20_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/proxy-up.png` })
  expectNoCspViolations(page)
})
