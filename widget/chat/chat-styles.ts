/** The chat's style sheet (adopted into the closed shadow root, or the isolated frame's). */
export const CHAT_CSS = `
:host{--sd-accent:#4f46e5;--sd-on-accent:#fff;--sd-bg:#fff;--sd-fg:#111827;--sd-muted:#5b6270;--sd-line:#e3e5ea;--sd-soft:#f1f3f6;--sd-ok:#067647;--sd-warn:#b54708;--sd-danger:#b42318;--sd-read:#1570ef;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--sd-fg)}
@media (prefers-color-scheme:dark){:host{--sd-bg:#17181c;--sd-fg:#eceef2;--sd-muted:#a3a9b6;--sd-line:#30333a;--sd-soft:#25272d;--sd-ok:#47cd89;--sd-warn:#fdb022;--sd-danger:#ff8a80;--sd-read:#53b1fd}}
*{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button{font:inherit;color:inherit;cursor:pointer}
button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--sd-accent);outline-offset:2px}
.chat{position:relative;display:flex;flex-direction:column;height:100%;min-height:0;background:var(--sd-bg);color:var(--sd-fg)}
.framed{position:fixed;inset:0}
.head{display:flex;align-items:center;gap:12px;padding:14px 12px 14px 16px;background:var(--sd-accent);color:var(--sd-on-accent)}
.avatar{flex:none;display:grid;place-items:center;width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.22);font-weight:700;font-size:17px}
.who{flex:1;min-width:0}
.who h2{margin:0;font-size:16px;font-weight:650;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.status{margin:1px 0 0;font-size:13px;opacity:.92}
.dot{display:inline-block;width:8px;height:8px;margin-right:6px;border-radius:50%;background:#32d583;box-shadow:0 0 0 2px rgba(255,255,255,.5)}
.dot.away{background:#fdb022}
.icon{display:grid;place-items:center;width:38px;height:38px;border:0;border-radius:10px;background:transparent;color:inherit}
.icon:hover{background:rgba(127,127,127,.18)}
.head .icon:focus-visible{outline-color:var(--sd-on-accent)}
.verified{display:flex;align-items:center;gap:8px;width:100%;padding:8px 16px;border:0;border-bottom:1px solid var(--sd-line);background:var(--sd-soft);color:var(--sd-ok);font-size:13px;font-weight:600;text-align:left}
.verified span{color:var(--sd-fg);font-weight:500}
.verified:hover span{text-decoration:underline}
.bar{padding:6px 16px;font-size:13px;background:var(--sd-soft);color:var(--sd-muted);border-bottom:1px solid var(--sd-line)}
.scroll{flex:1;min-height:0;overflow-y:auto;padding:16px 14px 8px;overscroll-behavior:contain}
.log{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:4px}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:100%}
.msg.me{align-items:flex-end}
.sender{margin:10px 4px 2px;font-size:12px;font-weight:600;color:var(--sd-muted)}
.bubble{max-width:82%;padding:9px 13px;border-radius:18px 18px 18px 6px;background:var(--sd-soft);white-space:pre-wrap;overflow-wrap:anywhere}
.me .bubble{border-radius:18px 18px 6px 18px;background:var(--sd-accent);color:var(--sd-on-accent)}
.meta{display:flex;align-items:center;gap:4px;margin:2px 6px 6px;font-size:11.5px;color:var(--sd-muted)}
.meta .read{color:var(--sd-read)}
.failed{color:var(--sd-danger)}
.link{padding:0;border:0;background:none;color:inherit;text-decoration:underline;font-weight:600}
.bubble img{display:block;max-width:100%;max-height:260px;border-radius:12px}
.bubble.media{padding:4px;background:var(--sd-soft)}
.file{display:flex;align-items:center;gap:8px;border:0;background:none;color:inherit;padding:0;text-align:left}
.system{align-self:center;margin:10px 0;padding:4px 12px;border-radius:12px;background:var(--sd-soft);color:var(--sd-muted);font-size:13px;text-align:center}
.alert{margin:0 14px 8px;padding:10px 12px;border-radius:12px;border:1px solid var(--sd-line);border-left:4px solid var(--sd-muted);background:var(--sd-bg);font-size:13.5px;display:flex;gap:10px}
.alert.warning{border-left-color:var(--sd-warn)}
.alert.danger{border-left-color:var(--sd-danger)}
.alert strong{display:block}
.alert p{margin:2px 0 0}
.alert .icon{width:30px;height:30px;margin-left:auto;flex:none}
.typing{margin:0;padding:0 18px 6px;min-height:22px;font-size:13px;color:var(--sd-muted)}
.typing i{display:inline-block;width:5px;height:5px;margin-right:3px;border-radius:50%;background:currentColor;animation:sd-blink 1.2s infinite}
.typing i:nth-child(2){animation-delay:.2s}.typing i:nth-child(3){animation-delay:.4s;margin-right:8px}
@keyframes sd-blink{0%,80%,100%{opacity:.25}40%{opacity:1}}
.upload{margin:0 14px 8px;font-size:13px;color:var(--sd-muted)}
.upload progress{display:block;width:100%;height:6px;margin-top:4px;accent-color:var(--sd-accent)}
.composer{display:flex;align-items:flex-end;gap:6px;margin:0 10px;padding:6px;border:1px solid var(--sd-line);border-radius:16px;background:var(--sd-bg)}
.composer:focus-within{border-color:var(--sd-accent)}
.composer textarea{flex:1;min-width:0;max-height:120px;margin:0;padding:8px 6px;border:0;background:transparent;color:var(--sd-fg);font:inherit;resize:none;outline:none}
.composer textarea::placeholder{color:var(--sd-muted)}
.composer .icon{width:38px;height:38px;color:var(--sd-muted)}
.composer .send{background:var(--sd-accent);color:var(--sd-on-accent)}
.composer .send:hover{background:var(--sd-accent);filter:brightness(1.08)}
.composer button:disabled{opacity:.45;cursor:default}
.foot{display:flex;align-items:center;justify-content:center;gap:5px;margin:0;padding:8px 0 10px;font-size:11.5px;color:var(--sd-muted)}
.screen{margin:auto;padding:28px 22px;text-align:center}
.screen h3{margin:10px 0 8px;font-size:18px}
.screen p{margin:0 0 12px;color:var(--sd-muted)}
.screen .warn{color:var(--sd-danger)}
.keys{margin:14px 0;text-align:left;font-size:13px}
.keys dt{font-weight:600;margin-top:10px}
.keys dd{margin:3px 0 0;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-spacing:2px;overflow-wrap:anywhere}
.keys dd.bad{color:var(--sd-danger)}
.primary,.secondary{display:block;width:100%;margin-top:10px;padding:11px 16px;border-radius:12px;font-weight:600;border:1px solid var(--sd-accent)}
.primary{background:var(--sd-accent);color:var(--sd-on-accent)}
.secondary{background:transparent;color:var(--sd-fg);border-color:var(--sd-line)}
.danger{background:var(--sd-danger);border-color:var(--sd-danger);color:#fff}
.sheet{position:absolute;inset:0;z-index:2;display:flex;flex-direction:column;background:var(--sd-bg);overflow-y:auto;padding:20px 20px 16px;animation:sd-up .16s ease-out}
.sheet h3{margin:0 0 8px;font-size:18px}
.sheet p{margin:0 0 10px;color:var(--sd-muted)}
.sheet h4{margin:14px 0 4px;font-size:15px}
.code{margin:8px 0 12px;font:600 20px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:1px;word-spacing:6px;color:var(--sd-fg)}
.sheet .actions{margin-top:auto;padding-top:12px}
@keyframes sd-up{from{opacity:0;transform:translateY(10px)}to{opacity:1;transform:none}}
.spinner{width:28px;height:28px;margin:0 auto;border:3px solid var(--sd-line);border-top-color:var(--sd-accent);border-radius:50%;animation:sd-spin .9s linear infinite}
@keyframes sd-spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
@media (max-width:480px){.bubble{max-width:88%}}
`;
