// Renders public/icon.svg into the manifest's PNG icons with Debian's Chromium:
//   node --import tsx scripts/make-icons.ts
// icon-192.png, icon-512.png ("any": the rounded tile as drawn) and icon-maskable-512.png
// (full-bleed tile, glyph inside the central 60% so any mask shape keeps it whole).
import { readFile } from 'node:fs/promises'
import { launchChromium } from '../test/support/browser'

const svg = await readFile('public/icon.svg', 'utf8')
const glyph = svg.replace(/^[\s\S]*?<\/rect>|^[\s\S]*?<rect[^>]*\/>/, '').replace(/<\/svg>\s*$/, '')
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#1f6feb"/>`
  + `<g transform="translate(32 32) scale(.72) translate(-32 -31)">${glyph}</g></svg>`

const browser = await launchChromium()
const page = await browser.newPage()
for (const [file, source, size] of [
  ['public/icon-192.png', svg, 192], ['public/icon-512.png', svg, 512], ['public/icon-maskable-512.png', maskable, 512],
] as const) {
  await page.setViewportSize({ width: size, height: size })
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`)
  await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } })
  console.log(`wrote ${file}`)
}
await browser.close()
