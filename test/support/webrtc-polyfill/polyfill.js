import wrtc from './index.js'
for (const [key, value] of Object.entries(wrtc)) globalThis[key] ??= value
