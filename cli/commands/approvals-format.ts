/** The text forms of disclosure requests for `veil approvals`: short ids, time left, one request in full. */
import type { DisclosureView } from '#node';

/** The first characters of an id: what `list` prints and every command accepts. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** How long a pending request has before it expires, e.g. `5h left`. */
export function timeLeft(deadline: number): string {
  const ms = deadline - Date.now();
  if (ms <= 0) return 'expired';
  const h = Math.floor(ms / 3_600_000);
  return h >= 1 ? `${h}h left` : `${Math.ceil(ms / 60_000)}m left`;
}

/** One request in full, for a data owner about to decide it. */
export function formatRequest(v: DisclosureView, dir: string): string {
  const when =
    v.status === 'pending' ? timeLeft(v.deadline) : `by ${v.decidedBy ?? '?'}${v.decidedAt ? ` on ${new Date(v.decidedAt).toISOString().slice(0, 16)}Z` : ''}`;
  const lines = [
    `request ${v.id}  ${v.status} (${when})`,
    `  from           ${v.requester}, analyst ${v.analyst}`,
    `  purpose        ${v.purpose}; legal basis ${v.legalBasis}; case ${v.caseRef}`,
    `  matched        ${v.cls}${v.score !== null ? ` (similarity ${v.score.toFixed(3)})` : ''}`,
    `  fields asked   ${v.fields.join(', ')}`,
    ...(v.releasedFields ? [`  released       ${v.releasedFields.join(', ')}`] : []),
    ...(v.reason ? [`  reason         ${v.reason}`] : []),
    '  justification',
    ...v.justification.split('\n').map((l) => `    ${l}`),
    `  your record    ${v.recordId}${v.record ? ` (${v.record.dataset}, ${v.record.handling})` : ' (deleted since)'}`,
    ...recordLines(v.record),
  ];
  if (v.status === 'pending') {
    const id = v.id.slice(0, 8);
    lines.push(
      'decide with',
      `  veil approvals approve ${id} --dir ${dir} --fields ${v.fields.join(',')} --owner ACCOUNT`,
      `  veil approvals deny ${id} --dir ${dir} --reason "…" --owner ACCOUNT`,
    );
  }
  return lines.join('\n');
}

function recordLines(r: DisclosureView['record']): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.person) {
    const p = r.person;
    const name = [p.family, p.given].filter(Boolean).join(', ');
    out.push(`    person     ${name}${p.dob ? `; born ${p.dob}` : ''}${p.nationality ? `; ${p.nationality}` : ''}${p.sex ? `; sex ${p.sex}` : ''}`);
    if (p.aliases?.length) out.push(`    aliases    ${p.aliases.join('; ')}`);
  }
  for (const d of r.documents ?? []) out.push(`    document   ${d.type} ${d.country} ${d.number}${d.status ? ` (${d.status})` : ''}`);
  if (r.vehicle) {
    const v = r.vehicle;
    out.push(
      `    vehicle    VIN ${v.vin}${[v.make, v.model, v.colour, v.plate, v.country].filter(Boolean).length ? `; ${[v.make, v.model, v.colour, v.plate, v.country].filter(Boolean).join(' ')}` : ''}`,
    );
  }
  return out;
}
