/**
 * The approval console's pages: server-rendered hono/jsx, plain HTML forms, no client script (the
 * CSP forbids scripts altogether). Every value is escaped by hono/jsx; the only raw HTML is the doctype.
 * The login, pending, decided, audit and error pages are here; the request page (what the data owner
 * needs to decide) is `request-page.tsx`, the layout and shared pieces `layout.tsx`.
 */
import type { FC } from 'hono/jsx';
import { AUDIT_KINDS, type AuditRecord } from '#platform';
import { DISCLOSURE_FIELDS } from '#protocol';
import type { DisclosureView } from '../disclosure/desk.ts';
import { timeLeft, urgency, utcTime } from './format.ts';
import { ClassCell, Layout, StatusBadge } from './layout.tsx';
import type { OwnerSession } from './sessions.ts';

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

export const PendingPage: FC<{ country: string; session: OwnerSession; items: DisclosureView[]; now: number }> = (p) => (
  <Layout title="Pending requests" country={p.country} session={p.session} nav="pending" pending={p.items.length}>
    <h1>Pending disclosure requests</h1>
    <p class="muted">Oldest deadline first. A request not decided before its deadline expires and nothing is released.</p>
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

export const AuditPage: FC<{
  country: string;
  session: OwnerSession;
  records: AuditRecord[];
  kind?: string | undefined;
  older?: number | undefined;
  pending: number;
}> = (p) => (
  <Layout title="Audit log" country={p.country} session={p.session} nav="audit" pending={p.pending}>
    <h1>Audit log</h1>
    <p class="muted">
      This node's append-only, hash-chained log, newest first. Entries hold ids, codes and counts only — never personal data. Verify the chain with{' '}
      <code>veil audit verify</code>.
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

export const ErrorPage: FC<{
  country: string;
  session?: OwnerSession | undefined;
  status: number;
  title: string;
  message: string;
  back?: string | undefined;
}> = (p) => (
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
