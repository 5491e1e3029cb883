/**
 * The layers of the code (DESIGN.md "Layout"): nothing imports "up".
 *   ui, pwa → engine → storage, bridge-client, prefs → i18n → core, protocol
 * protocol imports nothing but itself; core only itself and protocol (its types and error codes);
 * pwa does not import ui; the service worker (sw/) and the bridge (bridge/) share only core and
 * protocol with the page. test/unit/import-layers.test.ts runs these rules over the code.
 */
const below = (...allowed) => `^src/(?!(?:${allowed.join('|')})/)`

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'protocol-imports-only-itself', severity: 'error', comment: 'protocol/ is types and constants shared by every realm', from: { path: '^src/protocol/' }, to: { path: [below('protocol'), '^(bridge|sw)/'] } },
    { name: 'core-imports-only-core-and-protocol', severity: 'error', comment: 'core/ is pure logic: no I/O, no engine, no DOM', from: { path: '^src/core/' }, to: { path: [below('core', 'protocol'), '^(bridge|sw)/'] } },
    { name: 'bridge-client-imports-down', severity: 'error', from: { path: '^src/bridge-client/' }, to: { path: below('bridge-client', 'core', 'protocol') } },
    { name: 'storage-imports-down', severity: 'error', comment: 'storage does not import the engine that uses it', from: { path: '^src/storage/' }, to: { path: below('storage', 'core', 'protocol') } },
    { name: 'prefs-imports-down', severity: 'error', from: { path: '^src/prefs/' }, to: { path: below('prefs', 'i18n', 'core', 'protocol') } },
    { name: 'i18n-imports-down', severity: 'error', from: { path: '^src/i18n/' }, to: { path: below('i18n', 'core', 'protocol') } },
    { name: 'workers-import-down', severity: 'error', comment: 'worker code cannot reach the page', from: { path: '^src/workers/' }, to: { path: below('workers', 'storage', 'core', 'protocol') } },
    { name: 'engine-does-not-import-ui', severity: 'error', from: { path: '^src/engine/' }, to: { path: '^src/(ui|pwa|workers)/|^src/main\\.ts$' } },
    { name: 'pwa-does-not-import-ui', severity: 'error', from: { path: '^src/pwa/' }, to: { path: '^src/(ui|workers)/|^src/main\\.ts$' } },
    { name: 'ui-does-not-import-boot', severity: 'error', from: { path: '^src/ui/' }, to: { path: '^src/(workers)/|^src/main\\.ts$' } },
    { name: 'service-worker-shares-only-core-and-protocol', severity: 'error', from: { path: '^sw/' }, to: { path: [below('core', 'protocol'), '^bridge/'] } },
    { name: 'bridge-shares-only-core-and-protocol', severity: 'error', from: { path: '^bridge/' }, to: { path: [below('core', 'protocol'), '^sw/'] } },
    { name: 'page-does-not-import-node', severity: 'error', from: { path: '^src/' }, to: { path: '^bridge/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
