// Node worker threads do not inherit vitest's TypeScript loader: register tsx's, then load the
// TypeScript worker named in workerData.
import { register } from 'tsx/esm/api'
import { workerData } from 'node:worker_threads'

register()
await import(workerData.tsFile)
