/**
 * The approval console's pages: server-rendered hono/jsx, plain HTML forms, no client script (the
 * CSP forbids scripts altogether). Every value is escaped by hono/jsx; the only raw HTML is the doctype.
 *
 * What a page shows is what the data owner needs to decide (DESIGN.md §4 step 4): who asks, why, under
 * which legal basis and case, how the hit was made, the node's own record, and what each field would
 * release.
 */
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { AUDIT_KINDS, type AuditRecord } from '#platform';
import { DISCLOSURE_FIELDS, type DisclosureField } from '#protocol';
import type { DisclosureView } from '../disclosure/desk.ts';
import type { OwnerSession } from './sessions.ts';
import { CLASS_LABELS, FIELD_LABELS, fieldPreview, timeLeft, urgency, utcTime } from './format.ts';

export const DOCTYPE = raw('<!doctype html>');

type Nav = 'pending' | 'history' | 'audit' | 'none';

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
      <footer>
        Decisions are final and audited. Released fields are sealed to the requesting analyst and carry the record's handling code.
      </footer>
    </body>
  </html>
);

export const LoginPage: FC<{ country: string; error?: string | undefined; account?: string | undefined }> = (p) => (
  <Layout title="Log in" country={p.country}>
    <section class="card narrow">
      <h1>Data owner login</h1>
      <p class="muted">Approve or deny requests from other countries to disclose records held by node {p.country}.</p>
      {p.error ? (
        <p class="alert error" role="alert">
          {p.error}
        </p>
      ) : null}
      <form method="post" action="/login" class="stack">
        <label>
          Account id
          <input name="account" autocomplete="username" required maxlength={64} value={p.account ?? ''} autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required maxlength={1024} />
        </label>
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
    </section>
  </Layout>
);

const ClassCell: FC<{ v: DisclosureView }> = ({ v }) => (
  <span class="cls" title={CLASS_LABELS[v.cls] ?? v.cls}>
    {v.cls}
    {v.score !== null ? <span class="muted"> · score {v.score.toFixed(3)}</span> : null}
  </span>
);

export const PendingPage: FC<{ country: string; session: OwnerSession; items: DisclosureView[]; now: number }> = (p) => (
  <Layout title="Pending requests" country={p.country} session={p.session} nav="pending" pending={p.items.length}>
    <h1>Pending disclosure requests</h1>
    <p class="muted">
      Oldest deadline first. A request not decided before its deadline expires and nothing is released.
    </p>
    {p.items.length === 0 ? (
      <p class="empty">No request is waiting for a decision.</p>
    ) : (
      <table class="list" id="pending">
        <thead>
          <tr>
            <th>From</th>
            <th>Purpose</th>
            <th>Legal basis</th>
            <th>Case reference</th>
            <th>Match</th>
            <th>Fields asked</th>
            <th>Received</th>
            <th>Time left</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {p.items.map((v) => (
            <tr data-request={v.id}>
              <td>
                <span class="country">{v.requester}</span>
              </td>
              <td>{v.purpose}</td>
              <td>
                <code>{v.legalBasis}</code>
              </td>
              <td>
                <code>{v.caseRef}</code>
              </td>
              <td>
                <ClassCell v={v} />
              </td>
              <td>{v.fields.join(', ')}</td>
              <td class="nowrap">{utcTime(v.receivedAt)}</td>
              <td class={`nowrap left ${urgency(v.deadline, p.now)}`} title={`deadline ${utcTime(v.deadline)}`}>
                {timeLeft(v.deadline, p.now)}
              </td>
              <td>
                <a class="button" href={`/requests/${v.id}`}>
                  Review
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </Layout>
);

const StatusBadge: FC<{ status: string }> = ({ status }) => <span class={`badge ${status}`}>{status}</span>;

const RecordPanel: FC<{ v: DisclosureView }> = ({ v }) => {
  const r = v.record;
  if (!r) return <p class="alert warn">The record ({v.recordId}) is no longer held by this node; an approval would release nothing but the handling code.</p>;
  const person = r.person;
  return (
    <dl class="record">
      <dt>Record</dt>
      <dd>
        <code>{r.id}</code> · {r.kind} · dataset <code>{r.dataset}</code> · handling <strong>{r.handling}</strong>
      </dd>
      {person ? (
        <>
          <dt>Name</dt>
          <dd>
            <strong>{person.family}</strong>
            {person.given ? `, ${person.given}` : ''}
          </dd>
          {person.aliases?.length ? (
            <>
              <dt>Aliases</dt>
              <dd>{person.aliases.join('; ')}</dd>
            </>
          ) : null}
          {person.dob ? (
            <>
              <dt>Date of birth</dt>
              <dd>{person.dob}</dd>
            </>
          ) : null}
          {person.nationality ? (
            <>
              <dt>Nationality</dt>
              <dd>{person.nationality}</dd>
            </>
          ) : null}
          {person.sex ? (
            <>
              <dt>Sex</dt>
              <dd>{person.sex}</dd>
            </>
          ) : null}
        </>
      ) : null}
      {r.documents?.length ? (
        <>
          <dt>Documents</dt>
          <dd>
            <ul class="plain">
              {r.documents.map((d) => (
                <li>
                  {d.type} · {d.country} · <code>{d.number}</code>
                  {d.status ? ` · ${d.status}` : ''}
                </li>
              ))}
            </ul>
          </dd>
        </>
      ) : null}
      {r.vehicle ? (
        <>
          <dt>Vehicle</dt>
          <dd>{fieldPreview(r, 'vehicle')}</dd>
        </>
      ) : null}
    </dl>
  );
};

export const RequestPage: FC<{
  country: string;
  session: OwnerSession;
  v: DisclosureView;
  now: number;
  pending: number;
  notice?: string | undefined;
  error?: string | undefined;
  checked?: readonly DisclosureField[] | undefined;
  reason?: string | undefined;
}> = (p) => {
  const v = p.v;
  const open = v.status === 'pending';
  return (
    <Layout title={`Request from ${v.requester}`} country={p.country} session={p.session} nav="none" pending={p.pending}>
      <p class="crumbs">
        <a href={open ? '/' : '/history'}>{open ? '← Pending requests' : '← Decided requests'}</a>
      </p>
      <h1>
        Disclosure request from <span class="country">{v.requester}</span> <StatusBadge status={v.status} />
      </h1>
      {p.notice ? (
        <p class="alert ok" role="status">
          {p.notice}
        </p>
      ) : null}
      {p.error ? (
        <p class="alert error" role="alert">
          {p.error}
        </p>
      ) : null}
      <div class="grid">
        <section class="card">
          <h2>The request</h2>
          <dl class="facts">
            <dt>Requesting country</dt>
            <dd>{v.requester}</dd>
            <dt>Analyst account</dt>
            <dd>
              <code>{v.analyst}</code>
            </dd>
            <dt>Purpose</dt>
            <dd>{v.purpose}</dd>
            <dt>Legal basis</dt>
            <dd>
              <code>{v.legalBasis}</code>
            </dd>
            <dt>Case reference</dt>
            <dd>
              <code>{v.caseRef}</code>
            </dd>
            <dt>Match</dt>
            <dd>
              {CLASS_LABELS[v.cls] ?? v.cls}; the claim ({v.claimKind}) was verified against the record
              {v.score !== null ? `, similarity ${v.score.toFixed(3)}` : ''}
            </dd>
            <dt>Fields asked for</dt>
            <dd>{v.fields.map((f) => FIELD_LABELS[f]).join(', ')}</dd>
            <dt>Received</dt>
            <dd>{utcTime(v.receivedAt)}</dd>
            <dt>Deadline</dt>
            <dd>
              {utcTime(v.deadline)}
              {open ? <span class={`left ${urgency(v.deadline, p.now)}`}> · {timeLeft(v.deadline, p.now)} left</span> : null}
            </dd>
          </dl>
          <h3>Justification</h3>
          <blockquote class="justification">{v.justification}</blockquote>
        </section>
        <section class="card">
          <h2>Our record</h2>
          <RecordPanel v={v} />
        </section>
      </div>
      {open ? (
        <div class="grid decide">
          <section class="card">
            <h2>Approve</h2>
            <p class="muted">Tick each field to release. Nothing is released unless ticked.</p>
            <form method="post" action={`/requests/${v.id}/approve`} class="stack" id="approve">
              <input type="hidden" name="_csrf" value={p.session.csrf} />
              <fieldset>
                <legend>Fields to release</legend>
                {v.fields.map((f) => {
                  const preview = fieldPreview(v.record, f);
                  return (
                    <label class="check">
                      <input type="checkbox" name="field" value={f} checked={p.checked?.includes(f) ?? false} />
                      <span class="field-name">{FIELD_LABELS[f]}</span>
                      <span class="preview">{preview ?? '— not in the record'}</span>
                    </label>
                  );
                })}
              </fieldset>
              <button type="submit" class="primary">
                Approve and release the ticked fields
              </button>
            </form>
          </section>
          <section class="card">
            <h2>Deny</h2>
            <p class="muted">The reason is sealed to the requesting analyst.</p>
            <form method="post" action={`/requests/${v.id}/deny`} class="stack" id="deny">
              <input type="hidden" name="_csrf" value={p.session.csrf} />
              <label>
                Reason
                <textarea name="reason" rows={4} maxlength={2000} required>
                  {p.reason ?? ''}
                </textarea>
              </label>
              <button type="submit" class="danger">
                Deny
              </button>
            </form>
          </section>
        </div>
      ) : (
        <section class="card">
          <h2>Decision</h2>
          <Decision v={v} />
        </section>
      )}
    </Layout>
  );
};

const Decision: FC<{ v: DisclosureView }> = ({ v }) => (
  <dl class="facts">
    <dt>Status</dt>
    <dd>
      <StatusBadge status={v.status} />
    </dd>
    <dt>Decided</dt>
    <dd>{v.decidedAt !== null ? utcTime(v.decidedAt) : '—'}</dd>
    <dt>By</dt>
    <dd>{v.decidedBy === 'policy' ? 'the sharing policy (auto-approval)' : v.decidedBy === 'deadline' ? 'the deadline (nobody decided)' : <code>{v.decidedBy ?? '—'}</code>}</dd>
    {v.releasedFields ? (
      <>
        <dt>Released</dt>
        <dd>{v.releasedFields.map((f) => FIELD_LABELS[f]).join(', ')}</dd>
      </>
    ) : null}
    {v.reason ? (
      <>
        <dt>Reason</dt>
        <dd>{v.reason}</dd>
      </>
    ) : null}
  </dl>
);

export const HistoryPage: FC<{ country: string; session: OwnerSession; items: DisclosureView[]; pending: number }> = (p) => (
  <Layout title="Decided requests" country={p.country} session={p.session} nav="history" pending={p.pending}>
    <h1>Decided requests</h1>
    {p.items.length === 0 ? (
      <p class="empty">Nothing has been decided yet.</p>
    ) : (
      <table class="list" id="history">
        <thead>
          <tr>
            <th>Decided</th>
            <th>From</th>
            <th>Purpose</th>
            <th>Case reference</th>
            <th>Match</th>
            <th>Decision</th>
            <th>By</th>
            <th>Released / reason</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {p.items.map((v) => (
            <tr data-request={v.id}>
              <td class="nowrap">{v.decidedAt !== null ? utcTime(v.decidedAt) : '—'}</td>
              <td>
                <span class="country">{v.requester}</span>
              </td>
              <td>{v.purpose}</td>
              <td>
                <code>{v.caseRef}</code>
              </td>
              <td>
                <ClassCell v={v} />
              </td>
              <td>
                <StatusBadge status={v.status} />
              </td>
              <td>
                <code>{v.decidedBy ?? '—'}</code>
              </td>
              <td>{v.releasedFields ? v.releasedFields.join(', ') : (v.reason ?? '')}</td>
              <td>
                <a href={`/requests/${v.id}`}>Details</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </Layout>
);

export const AuditPage: FC<{ country: string; session: OwnerSession; records: AuditRecord[]; kind?: string | undefined; older?: number | undefined; pending: number }> = (p) => (
  <Layout title="Audit log" country={p.country} session={p.session} nav="audit" pending={p.pending}>
    <h1>Audit log</h1>
    <p class="muted">
      This node's append-only, hash-chained log, newest first. Entries hold ids, codes and counts only — never personal data. Verify the
      chain with <code>veil audit verify</code>.
    </p>
    <form method="get" action="/audit" class="inline">
      <label>
        Kind{' '}
        <select name="kind">
          <option value="">all</option>
          {Object.keys(AUDIT_KINDS).map((k) => (
            <option value={k} selected={k === p.kind}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Filter</button>
    </form>
    {p.records.length === 0 ? (
      <p class="empty">No entries.</p>
    ) : (
      <table class="list audit" id="audit">
        <thead>
          <tr>
            <th>#</th>
            <th>Time</th>
            <th>Kind</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {p.records.map((r) => (
            <tr>
              <td class="num">{r.seq}</td>
              <td class="nowrap">{utcTime(r.ts, true)}</td>
              <td title={(AUDIT_KINDS as Record<string, string>)[r.entry.kind] ?? ''}>
                <code>{r.entry.kind}</code>
              </td>
              <td class="details">
                {Object.entries(r.entry)
                  .filter(([k]) => k !== 'kind')
                  .map(([k, val]) => (
                    <span class="kv">
                      {k}=<code>{String(val)}</code>
                    </span>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    {p.older !== undefined ? (
      <p>
        <a href={`/audit?before=${p.older}${p.kind ? `&kind=${encodeURIComponent(p.kind)}` : ''}`}>Older entries →</a>
      </p>
    ) : null}
  </Layout>
);

export const ErrorPage: FC<{ country: string; session?: OwnerSession | undefined; status: number; title: string; message: string; back?: string | undefined }> = (p) => (
  <Layout title={p.title} country={p.country} session={p.session} nav="none">
    <section class="card narrow">
      <h1>{p.title}</h1>
      <p class="alert error" role="alert">
        {p.message}
      </p>
      <p class="muted">Status {p.status}.</p>
      <p>
        <a href={p.back ?? '/'}>{p.back && p.back !== '/' ? '← Back to the request' : '← Back to pending requests'}</a>
      </p>
    </section>
  </Layout>
);

/** The fields the console knows, for validating submitted checkboxes. */
export const KNOWN_FIELDS: readonly string[] = DISCLOSURE_FIELDS;
