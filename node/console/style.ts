/**
 * The console's one stylesheet, served as /static/console.css (the CSP allows styles from 'self' only,
 * so there are no inline styles). Plain CSS, system fonts, readable at a glance on an office screen.
 */
export const CONSOLE_CSS = `
:root {
  --ink: #1b2430; --muted: #5b6675; --line: #d9dee5; --bg: #f4f6f8; --card: #fff;
  --accent: #1f4e8c; --ok: #1d7a46; --warn: #a15c00; --bad: #b42318;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink);
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
header.top { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .6rem 1.5rem;
  background: #14213d; color: #fff; }
.brand .logo { font-weight: 700; letter-spacing: .04em; }
.brand .node { display: inline-block; padding: 0 .4rem; border: 1px solid #fff6; border-radius: 3px; font-weight: 600; }
.brand .sub { color: #c9d3e3; margin-left: .3rem; }
header nav { display: flex; align-items: center; gap: 1.1rem; }
header nav a { color: #dfe7f3; text-decoration: none; padding: .2rem 0; border-bottom: 2px solid transparent; }
header nav a.on, header nav a:hover { color: #fff; border-bottom-color: #8fb3ff; }
.count { display: inline-block; min-width: 1.4em; margin-left: .35rem; padding: 0 .35rem; border-radius: 9px; background: #8fb3ff;
  color: #14213d; font-size: .8rem; font-weight: 700; text-align: center; }
form.logout { display: flex; align-items: center; gap: .5rem; margin: 0; }
.who { color: #c9d3e3; }
button.link { background: none; border: 0; color: #dfe7f3; text-decoration: underline; cursor: pointer; font: inherit; padding: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 1.2rem 1.5rem 2rem; }
footer { max-width: 1200px; margin: 0 auto; padding: 0 1.5rem 2rem; color: var(--muted); font-size: .85rem; }
h1 { font-size: 1.35rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
h3 { font-size: .95rem; margin: 1rem 0 .4rem; }
.muted { color: var(--muted); }
.empty { padding: 2rem; text-align: center; color: var(--muted); background: var(--card); border: 1px dashed var(--line); border-radius: 6px; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef1f5; padding: 0 .25rem; border-radius: 3px; }
table.list { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
table.list th, table.list td { padding: .55rem .7rem; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
table.list th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #f9fafb; }
table.list tr:last-child td { border-bottom: 0; }
table.audit td.details { font-size: .9rem; }
.kv { display: inline-block; margin-right: .8rem; white-space: nowrap; }
table.list code { white-space: nowrap; }
.nowrap { white-space: nowrap; }
.num { text-align: right; color: var(--muted); }
.country { display: inline-block; min-width: 2.2rem; padding: 0 .35rem; border-radius: 3px; background: #e4ecf9; color: var(--accent);
  font-weight: 700; text-align: center; }
.left.normal { color: var(--ok); }
.left.soon { color: var(--warn); font-weight: 600; }
.left.urgent { color: var(--bad); font-weight: 700; }
a { color: var(--accent); }
a.button, button { display: inline-block; padding: .35rem .8rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; color: var(--ink);
  font: inherit; text-decoration: none; cursor: pointer; }
a.button { border-color: var(--accent); color: var(--accent); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
.card.narrow { max-width: 28rem; margin: 2rem auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
.grid > .card { margin-bottom: 0; }
.grid.decide { margin-top: 1rem; }
dl.facts, dl.record { display: grid; grid-template-columns: 11rem 1fr; gap: .3rem .8rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
ul.plain { margin: 0; padding: 0; list-style: none; }
blockquote.justification { margin: 0; padding: .6rem .8rem; background: #f7f8fa; border-left: 3px solid var(--accent); white-space: pre-wrap; }
form.stack { display: flex; flex-direction: column; gap: .8rem; }
form.stack label { display: flex; flex-direction: column; gap: .25rem; font-weight: 600; }
form.inline { display: flex; gap: .5rem; align-items: center; margin: .5rem 0 1rem; }
input, textarea, select { font: inherit; padding: .4rem .5rem; border: 1px solid #b8c0cc; border-radius: 4px; }
fieldset { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .8rem; margin: 0; }
legend { color: var(--muted); font-size: .85rem; padding: 0 .3rem; }
form.stack label.check { display: grid; grid-template-columns: 1.4rem 12rem 1fr; align-items: baseline; gap: .4rem; font-weight: 400; padding: .25rem 0; }
.field-name { font-weight: 600; }
.preview { color: var(--muted); overflow-wrap: anywhere; }
.alert { padding: .6rem .8rem; border-radius: 4px; border: 1px solid; }
.alert.ok { color: var(--ok); background: #ecf8f1; border-color: #b7e1c8; }
.alert.warn { color: var(--warn); background: #fff6e8; border-color: #f1d3a4; }
.alert.error { color: var(--bad); background: #fdf0ef; border-color: #f3c1bc; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: .8rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .03em; vertical-align: middle; background: #eef1f5; color: var(--muted); }
.badge.pending { background: #fff3dc; color: var(--warn); }
.badge.approved { background: #e3f5ea; color: var(--ok); }
.badge.denied { background: #fde6e4; color: var(--bad); }
.badge.expired { background: #eef1f5; color: var(--muted); }
.crumbs { margin: 0 0 .3rem; }
`;
