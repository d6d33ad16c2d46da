/**
 * The subject of a blind query from the command line: exactly one of a name with a date of birth, an
 * identity document (`TYPE:COUNTRY:NUMBER`) or a VIN. `veil disclose` repeats the subject searched for.
 */
import { type QuerySubject, VeilError } from '#protocol';

export function subjectFrom(o: { name?: string; dob?: string; doc?: string; vin?: string }): QuerySubject {
  const given = [o.name !== undefined || o.dob !== undefined, o.doc !== undefined, o.vin !== undefined].filter(Boolean).length;
  if (given !== 1) throw new VeilError('bad_request', 'give exactly one of --name/--dob, --doc or --vin');
  if (o.doc !== undefined) {
    const [type, country, ...rest] = o.doc.split(':');
    if (!type || !country || rest.length === 0) throw new VeilError('bad_request', '--doc must be TYPE:COUNTRY:NUMBER');
    return { doc: { type, country, number: rest.join(':') } };
  }
  if (o.vin !== undefined) return { vin: o.vin };
  if (!o.name || !o.dob) throw new VeilError('bad_request', '--name needs --dob (and vice versa)');
  return { name: o.name, dob: o.dob };
}
