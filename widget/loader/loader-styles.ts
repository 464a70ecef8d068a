/**
 * The loader's style sheet: the host box, the launcher bubble and the panel's box (the chat app, or the
 * isolated mode's frame, fills it). `!important` on :host wins over host page rules (CSS Scoping §3.3);
 * the font and colour need it too, or `all:initial!important` resets them to the browser's default serif.
 */
export const LOADER_CSS = `
:host{all:initial!important;position:fixed!important;z-index:2147483000!important;bottom:20px!important;right:20px!important;left:auto!important;display:block!important;width:auto!important;height:auto!important;
--sd-accent:#4f46e5;--sd-on-accent:#fff;--sd-bg:#fff;--sd-fg:#111827;--sd-muted:#5b6270;--sd-line:#e3e5ea;--sd-soft:#f3f4f6;--sd-danger:#b42318;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif!important;color:var(--sd-fg)!important}
:host(.sd-left){left:20px!important;right:auto!important}
@media (prefers-color-scheme:dark){:host{--sd-bg:#17181c;--sd-fg:#eceef2;--sd-muted:#a3a9b6;--sd-line:#30333a;--sd-soft:#24262c;--sd-danger:#ff8a80}}
*{box-sizing:border-box}
[hidden]{display:none!important}
.launcher{position:relative;display:grid;place-items:center;width:60px;height:60px;border:0;border-radius:50%;padding:0;cursor:pointer;
background:var(--sd-accent);color:var(--sd-on-accent);box-shadow:0 6px 20px rgba(15,23,42,.28),0 2px 6px rgba(15,23,42,.18);transition:transform .15s ease}
.launcher:hover{transform:scale(1.05)}
.launcher:focus-visible,.retry:focus-visible{outline:3px solid var(--sd-fg);outline-offset:3px}
.launcher[aria-busy=true] svg{opacity:.55}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d92d20;color:#fff;
font:600 12px/22px system-ui,sans-serif;text-align:center;border:2px solid #fff}
.panel{position:absolute;bottom:76px;right:0;width:380px;height:min(640px,calc(100vh - 120px));max-height:calc(100vh - 120px);display:flex;flex-direction:column;
background:var(--sd-bg);color:var(--sd-fg);border-radius:18px;overflow:hidden;box-shadow:0 18px 60px rgba(15,23,42,.28),0 4px 14px rgba(15,23,42,.14);
animation:sd-in .18s ease-out}
:host(.sd-left) .panel{right:auto;left:0}
.panel>iframe{flex:1;width:100%;border:0;background:var(--sd-bg)}
.note{margin:auto;padding:24px;text-align:center;color:var(--sd-muted)}
.note strong{display:block;color:var(--sd-fg);margin-bottom:6px}
.retry{margin-top:14px;padding:9px 16px;border:0;border-radius:10px;background:var(--sd-accent);color:var(--sd-on-accent);font:inherit;font-weight:600;cursor:pointer}
@keyframes sd-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}
@media (max-width:480px){.panel{position:fixed;inset:0;width:auto;height:auto;max-height:none;border-radius:0}
:host(.sd-open) .launcher{display:none}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;
