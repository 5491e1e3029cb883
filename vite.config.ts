import { defineConfig } from 'vite'

export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // webtorrent's prebuilt module alone is ~220 KB; the warning would only repeat that.
    chunkSizeWarningLimit: 800,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
})
