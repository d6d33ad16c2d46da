/**
 * The subject of a blind query from the command line: exactly one of a name with a date of birth
 * (optionally the person's sex and how to read a date written with the year last), an identity
 * document (`TYPE:COUNTRY:NUMBER`) or a VIN. `veil disclose` repeats the subject searched for.
 */
import type { QuerySubject } from '#protocol';
import { DATE_ORDERS, GENDERS } from '#protocol/vocabulary';
import { CliError } from './errors.ts';

export interface SubjectOptions {
  name?: string;
  dob?: string;
  sex?: string;
  dateOrder?: string;
  doc?: string;
  vin?: string;
}

export function subjectFrom(o: SubjectOptions): QuerySubject {
  const given = [o.name !== undefined || o.dob !== undefined, o.doc !== undefined, o.vin !== undefined].filter(Boolean).length;
  if (given !== 1)
    throw new CliError('bad_request', 'give exactly one of --name with --dob, --doc or --vin', { hint: 'e.g. --name "Vladimir Ivanov" --dob 1979-05-21' });
  if ((o.sex !== undefined || o.dateOrder !== undefined) && o.name === undefined) {
    throw new CliError('bad_request', '--sex and --date-order go with --name and --dob');
  }
  if (o.doc !== undefined) {
    const [type, country, ...rest] = o.doc.split(':');
    if (!type || !country || rest.length === 0)
      throw new CliError('bad_request', `--doc ${o.doc} is not TYPE:COUNTRY:NUMBER`, { hint: 'e.g. --doc passport:DEU:C01X00T47' });
    return { doc: { type, country, number: rest.join(':') } };
  }
  if (o.vin !== undefined) return { vin: o.vin };
  if (!o.name || !o.dob)
    throw new CliError('bad_request', o.name ? '--name needs --dob' : '--dob needs --name', { hint: '--dob takes YYYY-MM-DD, DD.MM.YYYY, YYYY-MM or YYYY' });
  const sex = o.sex?.toUpperCase();
  if (sex !== undefined && !(GENDERS as readonly string[]).includes(sex)) throw new CliError('bad_request', `--sex ${o.sex}: give M or F`);
  if (o.dateOrder !== undefined && !(DATE_ORDERS as readonly string[]).includes(o.dateOrder)) {
    throw new CliError('bad_request', `--date-order ${o.dateOrder}: give dmy (day first) or mdy (month first)`);
  }
  return {
    name: o.name,
    dob: o.dob,
    ...(sex !== undefined ? { sex: sex as 'M' | 'F' } : {}),
    ...(o.dateOrder !== undefined ? { dateOrder: o.dateOrder as 'dmy' | 'mdy' } : {}),
  };
}
