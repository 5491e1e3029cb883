import type { Settings } from '../prefs/settings'

/** "system" follows prefers-color-scheme; light and dark force it (src/page.css holds both palettes). */
export function applyTheme(theme: Settings['theme']): void {
  if (theme === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = theme
}

/** The forced palettes (src/page.css's :root variables follow the system by default). */
const FORCED = `
  :root[data-theme=light] { color-scheme: light; --bg: #f7f8fa; --surface: #ffffff; --surface-2: #eef1f5; --text: #1b1f24;
    --muted: #5b6470; --border: #d9dee5; --accent: #1a66d9; --accent-text: #ffffff; --ok: #1a7f37; --warn: #9a6700;
    --danger: #c62828; --bar: #dfe4ea; --focus: #1a66d9; }
  :root[data-theme=dark] { color-scheme: dark; --bg: #14171c; --surface: #1c2128; --surface-2: #232a33; --text: #e6e9ed;
    --muted: #9aa4b1; --border: #2f3742; --accent: #4c8dff; --accent-text: #0b1020; --ok: #3fb950; --warn: #d29922;
    --danger: #f47067; --bar: #2b333d; --focus: #79a8ff; }`

const sheet = new CSSStyleSheet()
sheet.replaceSync(FORCED)
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]
