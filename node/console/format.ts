/**
 * Display helpers for the approval console: times in UTC (officers in different places read the same
 * page), time left before a deadline, and the node's record fields as an officer reads them.
 */
import type { DisclosureField, VeilRecord } from '#protocol';

/** `2026-05-01 14:03 UTC` (or `14:03:27` with seconds). */
export function utcTime(ms: number, seconds = false): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace('T', ' ')} UTC`;
}

/** `1 d 4 h`, `3 h 12 min`, `25 min`, `under a minute`, `overdue`. */
export function timeLeft(deadline: number, now: number): string {
  const ms = deadline - now;
  if (ms <= 0) return 'overdue';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'under a minute';
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/** How urgent a pending request is, for styling: under 6 h is `soon`, under 1 h `urgent`. */
export function urgency(deadline: number, now: number): 'urgent' | 'soon' | 'normal' {
  const ms = deadline - now;
  if (ms < 3_600_000) return 'urgent';
  if (ms < 6 * 3_600_000) return 'soon';
  return 'normal';
}

export const FIELD_LABELS = {
  name: 'Name (family, given, aliases)',
  dob: 'Date of birth',
  nationality: 'Nationality',
  sex: 'Sex',
  documents: 'Documents',
  vehicle: 'Vehicle',
  dataset: 'Dataset',
} as const satisfies Record<DisclosureField, string>;

export const CLASS_LABELS: Record<string, string> = {
  doc: 'document',
  name_dob: 'name + date of birth',
  phonetic_yob: 'phonetic name + year of birth',
  vehicle: 'vehicle (VIN)',
  face: 'face',
  fingerprint: 'fingerprint',
};

/** What releasing `field` would disclose from `record`, as one line; null if the record holds nothing for it. */
export function fieldPreview(record: VeilRecord | null, field: DisclosureField): string | null {
  if (!record) return null;
  const p = record.person;
  switch (field) {
    case 'name': {
      if (!p) return null;
      const main = p.given ? `${p.family}, ${p.given}` : p.family;
      return p.aliases?.length ? `${main} (aka ${p.aliases.join('; ')})` : main;
    }
    case 'dob':
      return p?.dob ?? null;
    case 'nationality':
      return p?.nationality ?? null;
    case 'sex':
      return p?.sex ?? null;
    case 'documents':
      return record.documents?.length ? record.documents.map((d) => `${d.type} ${d.country} ${d.number}${d.status ? ` (${d.status})` : ''}`).join('; ') : null;
    case 'vehicle': {
      const v = record.vehicle;
      if (!v) return null;
      return [v.vin, v.plate && `plate ${v.plate}`, [v.make, v.model, v.colour].filter(Boolean).join(' '), v.country].filter(Boolean).join(', ');
    }
    case 'dataset':
      return record.dataset;
    default: {
      const never: never = field;
      return String(never);
    }
  }
}
