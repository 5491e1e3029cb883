import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { manifestTexts } from './src/i18n/manifest'
import { MAGNET_QUERY, SHARE_FILES_FIELD, SHARE_PATH } from './src/protocol/sw-messages'

/**
 * Identifies a build to the service worker (sw/sw.ts reads it as __APP_BUILD__): two builds with
 * different APP_BUILD_ID values give two different service workers, which is what a release is.
 */
const BUILD_ID = process.env.APP_BUILD_ID ?? 'dev'

export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // webtorrent's prebuilt module alone is ~220 KB; the warning would only repeat that.
    chunkSizeWarningLimit: 800,
  },
  define: { __APP_BUILD__: JSON.stringify(BUILD_ID) },
  worker: { format: 'es' },
  // streamx (the bridge client's streams) imports Node's `events`: give the browser the npm
  // package of the same API instead of Vite's empty stub for Node built-ins.
  resolve: { alias: { events: 'events/' } },
  server: { host: '127.0.0.1' },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      // src/pwa/register-sw.ts registers it through workbox-window and shows "Reload to update".
      injectRegister: false,
      registerType: 'prompt',
      manifestFilename: 'manifest.webmanifest',
      includeManifestIcons: false, // the glob below takes them
      injectManifest: {
        // The shell, its workers and the icons; not the source maps.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
      manifest: {
        id: '/',
        // English, and the other languages' as *_localized members (src/i18n/manifest.ts)
        ...manifestTexts(),
        start_url: '/',
        scope: '/',
        display: 'standalone',
        // Light theme; the page's <meta name="theme-color" media=...> pair switches it for dark.
        theme_color: '#f7f8fa',
        background_color: '#f7f8fa',
        categories: ['utilities', 'productivity'],
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
        share_target: {
          action: SHARE_PATH,
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'title',
            text: 'text',
            url: 'url',
            files: [{ name: SHARE_FILES_FIELD, accept: ['application/x-bittorrent', '.torrent'] }],
          },
        },
        protocol_handlers: [{ protocol: 'magnet', url: `/?${MAGNET_QUERY}=%s` }],
        file_handlers: [{ action: '/', accept: { 'application/x-bittorrent': ['.torrent'] } }],
        launch_handler: { client_mode: 'focus-existing' },
        // Chromium's proposal for per-scheme colours; ignored where unknown.
        ...{ user_preferences: { color_scheme_dark: { theme_color: '#14171c', background_color: '#14171c' } } },
      } as Record<string, unknown>,
    }),
  ],
})
