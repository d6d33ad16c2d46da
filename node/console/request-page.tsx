/**
 * The approval console's request page: everything a data owner needs to decide one disclosure request
 * — who asks, why, under which legal basis and case, how the hit was made, the node's own record, and
 * what each field would release — with the approve (choose fields) and deny (give a reason) forms, or
 * the decision once made.
 */
import type { FC } from 'hono/jsx';
import type { DisclosureField } from '#protocol';
import type { DisclosureView } from '../disclosure/desk.ts';
import { CLASS_LABELS, FIELD_LABELS, fieldPreview, timeLeft, urgency, utcTime } from './format.ts';
import { Layout, StatusBadge } from './layout.tsx';
import type { OwnerSession } from './sessions.ts';

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
    <dd>
      {v.decidedBy === 'policy' ? (
        'the sharing policy (auto-approval)'
      ) : v.decidedBy === 'deadline' ? (
        'the deadline (nobody decided)'
      ) : (
        <code>{v.decidedBy ?? '—'}</code>
      )}
    </dd>
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
