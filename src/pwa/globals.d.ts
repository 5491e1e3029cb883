/** vite `define` (vite.config.ts): the build's id. */
declare const __APP_BUILD__: string
