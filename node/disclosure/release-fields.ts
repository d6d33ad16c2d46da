/**
 * What an approved disclosure releases: the chosen fields taken from the record. This is the only
 * place record contents are selected for release; anything not chosen never leaves the node.
 */
import type { DisclosureField, VeilRecord } from '#protocol';

/** Extract the chosen fields from a record. */
export function releaseFields(record: VeilRecord, fields: readonly DisclosureField[]): Partial<Record<DisclosureField, unknown>> {
  const out: Partial<Record<DisclosureField, unknown>> = {};
  const p = record.person;
  for (const f of fields) {
    switch (f) {
      case 'name':
        if (p) out.name = { family: p.family, ...(p.given ? { given: p.given } : {}), ...(p.aliases?.length ? { aliases: p.aliases } : {}) };
        break;
      case 'dob':
        if (p?.dob) out.dob = p.dob;
        break;
      case 'nationality':
        if (p?.nationality) out.nationality = p.nationality;
        break;
      case 'sex':
        if (p?.sex) out.sex = p.sex;
        break;
      case 'documents':
        if (record.documents?.length) out.documents = record.documents;
        break;
      case 'vehicle':
        if (record.vehicle) out.vehicle = record.vehicle;
        break;
      case 'dataset':
        out.dataset = record.dataset;
        break;
      default: {
        const never: never = f;
        throw new Error(`unknown field ${String(never)}`);
      }
    }
  }
  return out;
}
