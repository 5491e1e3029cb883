import { css } from 'lit'

/** <bt-app>'s layout: the header, the notices, the reach line, the drop overlay. */
export const appStyles = css`
  :host { display: block; max-width: 980px; margin: 0 auto; padding: 16px max(16px, env(safe-area-inset-left)) 40px; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 14px; }
  .header-actions { display: flex; gap: 8px; flex-wrap: wrap; justify-content: flex-end; }
  .brand { display: flex; align-items: center; gap: 12px; min-width: 0; }
  h1 { font-size: 1.3em; margin: 0; display: flex; align-items: center; gap: 10px; }
  h1 img { width: 28px; height: 28px; }
  @media (max-width: 480px) {
    h1 { font-size: 1.1em; white-space: nowrap; } h1 img { width: 24px; height: 24px; }
    /* a phone: the title on its own line, the three buttons in one row under it (not a column beside it) */
    header { flex-wrap: wrap; gap: 10px; } .header-actions { width: 100%; justify-content: flex-start; }
  }
  bt-notices { margin: 12px 0; }
  .mirror { background: var(--surface); border: 1px solid var(--accent); border-radius: 8px; padding: 10px 14px; }
  .reach { color: var(--muted); font-size: .85em; margin-top: 18px; text-align: center; }
  .help { text-align: center; font-size: .87em; margin: 10px 0 0; }
  .help a { color: var(--accent); }
  .help a:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
  /* Losing the bridge changes what the user gets: say it where it is seen. */
  .reach.lost { color: var(--warn); border: 1px solid var(--warn); border-radius: 8px; padding: 8px 12px; font-size: .9em; }
  .drop { position: fixed; inset: 0; display: grid; place-items: center; background: rgb(31 111 235 / .18);
    border: 3px dashed var(--accent); font-size: 1.3em; font-weight: 600; pointer-events: none; z-index: 10; }
`
