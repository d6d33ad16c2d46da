/**
 * The approval console's frame and the small pieces its pages share: the page layout (navigation,
 * logout form with its CSRF token), the status badge and the match-class cell. Server-rendered
 * hono/jsx; every value is escaped; the only raw HTML is the doctype.
 */

import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import type { DisclosureView } from '../disclosure/desk.ts';
import { CLASS_LABELS } from './format.ts';
import type { OwnerSession } from './sessions.ts';

export const DOCTYPE = raw('<!doctype html>');

export type Nav = 'pending' | 'history' | 'audit' | 'none';

export const Layout: FC<{ title: string; country: string; session?: OwnerSession | undefined; nav?: Nav; pending?: number; children?: Child }> = (p) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="same-origin" />
      <title>{`${p.title} · Veil ${p.country} approvals`}</title>
      <link rel="stylesheet" href="/static/console.css" />
    </head>
    <body>
      <header class="top">
        <div class="brand">
          <span class="logo">Veil</span> <span class="node">{p.country}</span> <span class="sub">disclosure approvals</span>
        </div>
        {p.session ? (
          <nav>
            <a href="/" class={p.nav === 'pending' ? 'on' : undefined}>
              Pending{p.pending !== undefined ? <span class="count">{p.pending}</span> : null}
            </a>
            <a href="/history" class={p.nav === 'history' ? 'on' : undefined}>
              Decided
            </a>
            <a href="/audit" class={p.nav === 'audit' ? 'on' : undefined}>
              Audit log
            </a>
            <form method="post" action="/logout" class="logout">
              <input type="hidden" name="_csrf" value={p.session.csrf} />
              <span class="who" title={`account ${p.session.owner.id}`}>
                {p.session.owner.name}
              </span>
              <button type="submit" class="link">
                Log out
              </button>
            </form>
          </nav>
        ) : null}
      </header>
      <main>{p.children}</main>
      <footer>Decisions are final and audited. Released fields are sealed to the requesting analyst and carry the record's handling code.</footer>
    </body>
  </html>
);

export const StatusBadge: FC<{ status: string }> = ({ status }) => <span class={`badge ${status}`}>{status}</span>;

export const ClassCell: FC<{ v: DisclosureView }> = ({ v }) => (
  <span class="cls" title={CLASS_LABELS[v.cls] ?? v.cls}>
    {v.cls}
    {v.score !== null ? <span class="muted"> · score {v.score.toFixed(3)}</span> : null}
  </span>
);
