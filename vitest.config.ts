import { defineConfig } from 'vitest/config'

// unit tests and the bridge's Node integration tests (real peers on loopback); test/e2e holds
// Playwright specs that vitest must not pick up
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/bridge/**/*.test.ts'],
    environment: 'node',
  },
})
