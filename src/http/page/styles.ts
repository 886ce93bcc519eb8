// The status page's CSS. Colour is never the only signal: every state also has a text label and
// a distinct marker shape, and the palette keeps text contrast above 4.5:1 in light and dark mode.
// Narrow windows (phones, split panes) get one column and wrapping values, never a page-wide scroll.
export const styles = `
:root {
  --bg: #f6f7f9; --card: #ffffff; --text: #1b1f24; --muted: #57606a; --line: #d0d7de;
  --ok: #116329; --ok-bg: #dafbe1; --bad: #a40e26; --bad-bg: #ffebe9;
  --warn: #7d4e00; --warn-bg: #fff8c5; --off: #57606a; --off-bg: #eaeef2;
  --info: #0550ae; --info-bg: #ddf4ff; --focus: #0969da;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #9198a1; --line: #30363d;
    --ok: #3fb950; --ok-bg: #12261e; --bad: #ff7b72; --bad-bg: #2d1517;
    --warn: #d29922; --warn-bg: #272115; --off: #9198a1; --off-bg: #21262d;
    --info: #58a6ff; --info-bg: #121d2f; --focus: #58a6ff;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
a { color: var(--info); }
header.top { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; padding: 12px 16px;
  background: var(--card); border-bottom: 1px solid var(--line); }
header.top h1 { font-size: 18px; margin: 0; }
header.top .facts { display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--muted); margin: 0; padding: 0; list-style: none; }
header.top .facts b { color: var(--text); font-weight: 600; }
main { max-width: 1200px; margin: 0 auto; padding: 12px 16px 32px; }
section { margin: 16px 0; }
h2 { font-size: 16px; margin: 0 0 8px; }
h3, h4 { font-size: 15px; margin: 0; overflow-wrap: anywhere; }
body.stale .pool, body.stale .host { opacity: .75; }
.banner { padding: 8px 12px; border-radius: 6px; margin: 8px 0; border: 1px solid var(--line); }
.banner.bad { background: var(--bad-bg); color: var(--bad); border-color: var(--bad); }
.banner.warn { background: var(--warn-bg); color: var(--warn); border-color: var(--warn); }
.banner.info { background: var(--info-bg); color: var(--info); border-color: var(--info); }
.pool { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin-bottom: 16px; }
.pool-head { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; margin-bottom: 8px; }
.pool-head .meta { color: var(--muted); overflow-wrap: anywhere; }
.hosts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.host { border: 1px solid var(--line); border-left: 6px solid var(--off); border-radius: 6px; padding: 10px; min-width: 0;
  /* hundreds of hosts: cards off screen skip layout and paint on every refresh */
  content-visibility: auto; contain-intrinsic-size: auto 300px; }
.host.s-healthy { border-left-color: var(--ok); }
.host.s-unhealthy { border-left-color: var(--bad); }
.host.s-draining { border-left-color: var(--warn); }
.host.s-disabled { border-left-color: var(--off); }
.host-head { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; justify-content: space-between; }
.state { display: inline-flex; align-items: center; gap: 6px; font-weight: 600; padding: 1px 8px; border-radius: 999px; font-size: 13px; }
.state::before { content: ""; display: inline-block; width: 9px; height: 9px; background: currentColor; }
.state.s-healthy { color: var(--ok); background: var(--ok-bg); }
.state.s-healthy::before { border-radius: 50%; }
.state.s-unhealthy { color: var(--bad); background: var(--bad-bg); }
.state.s-unhealthy::before { transform: rotate(45deg); }
.state.s-draining { color: var(--warn); background: var(--warn-bg); }
.state.s-draining::before { height: 3px; }
.state.s-disabled { color: var(--off); background: var(--off-bg); }
.state.s-disabled::before { background: transparent; border: 2px solid currentColor; width: 7px; height: 7px; }
dl.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; margin: 8px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
.bad-text { color: var(--bad); }
.warn-text { color: var(--warn); }
.ok-text { color: var(--ok); }
.muted { color: var(--muted); }
.chart { display: block; width: 100%; max-width: 360px; height: 36px; margin-top: 4px; }
.chart .bar { fill: var(--ok); }
.chart .fail { fill: var(--bad); }
.chart .base { stroke: var(--line); stroke-width: 1; }
.chart-caption { font-size: 12px; color: var(--muted); }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
button { font: inherit; font-weight: 600; padding: 5px 14px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--line); background: var(--off-bg); color: var(--text); min-height: 32px; }
button:hover { border-color: var(--muted); }
button.drain { background: var(--warn-bg); color: var(--warn); border-color: var(--warn); }
button.undrain { background: var(--ok-bg); color: var(--ok); border-color: var(--ok); }
button.disable { background: var(--off-bg); color: var(--off); border-color: var(--off); }
button.enable { background: var(--ok-bg); color: var(--ok); border-color: var(--ok); }
button.primary { background: var(--focus); color: #fff; border-color: var(--focus); }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input:focus-visible { outline-offset: 0; }
.safe { font-size: 13px; }
.zone-search { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 0 0 6px; }
.zone-search label { font-weight: 600; }
.zone-search input { font: inherit; padding: 6px 8px; border: 1px solid var(--muted); border-radius: 6px; background: var(--card); color: var(--text); width: min(420px, 100%); }
.result { font-weight: 600; }

.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
tr:last-child td { border-bottom: 0; }
td.values { overflow-wrap: anywhere; word-break: break-word; }
td.values div + div { margin-top: 2px; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 8px; }
.count { padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; }
.count.error { color: var(--bad); background: var(--bad-bg); }
.count.warning { color: var(--warn); background: var(--warn-bg); }
.count.info { color: var(--info); background: var(--info-bg); }
ul.findings { list-style: none; margin: 0; padding: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
ul.findings li { padding: 8px 10px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
ul.findings li:last-child { border-bottom: 0; }
ul.findings .sev { text-transform: uppercase; font-size: 12px; margin-right: 6px; }
ul.members, ul.findings { margin: 0; padding-left: 20px; overflow-wrap: anywhere; }
ul.changes { margin: 0; padding-left: 20px; color: var(--muted); font-size: 13px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 16px; }
.grid2 > section { margin: 0; min-width: 0; }
dialog { border: 1px solid var(--line); border-radius: 8px; background: var(--card); color: var(--text);
  padding: 16px; width: min(420px, calc(100vw - 32px)); }
dialog::backdrop { background: rgba(0, 0, 0, .4); }
dialog label { display: block; font-weight: 600; margin-bottom: 6px; }
dialog input { width: 100%; font: inherit; padding: 6px 8px; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--text); }
dialog .actions { justify-content: flex-end; }
dialog p { margin: 0 0 10px; color: var(--muted); font-size: 13px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media (max-width: 520px) {
  header.top, main { padding-left: 10px; padding-right: 10px; }
  .hosts { grid-template-columns: minmax(0, 1fr); }
  .pool { padding: 10px; }
  table.records thead { display: none; }
  table.records, table.records tbody, table.records tr, table.records td { display: block; width: 100%; }
  table.records tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.records td { border: 0; padding: 1px 10px; }
  table.records td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 12px; }
}
@media (prefers-reduced-motion: no-preference) {
  .host { transition: border-color .3s; }
}
`;
