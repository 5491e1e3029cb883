import { defineConfig } from 'vitest/config'

// unit tests only: test/e2e holds Playwright specs that vitest must not pick up
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
  },
})
