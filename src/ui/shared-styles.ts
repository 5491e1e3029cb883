import { css } from 'lit'

/** Buttons and focus rings shared by every element; colours come from index.html's variables. */
export const buttonStyles = css`
  button, .button {
    font: inherit; color: var(--text); background: var(--surface-2); border: 1px solid var(--border);
    border-radius: 8px; padding: 7px 14px; cursor: pointer; min-height: 36px;
    display: inline-flex; align-items: center; gap: 6px; white-space: nowrap;
  }
  button:hover:not([disabled]), .button:hover { border-color: var(--accent); }
  button:focus-visible, .button:focus-within, input:focus-visible {
    outline: 2px solid var(--focus); outline-offset: 2px;
  }
  button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
  button.danger { color: var(--danger); }
  button.link { background: none; border: none; padding: 4px 6px; color: var(--accent); min-height: 0; }
  button[disabled] { opacity: .5; cursor: not-allowed; }
  .visually-hidden {
    position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
  }
`
