import { VeilError } from '../errors.ts';

/**
 * ISO 3166-1 country codes (the 249 officially assigned alpha-2 / alpha-3 pairs) and the few ICAO
 * Doc 9303 codes that appear on travel documents, so that an issuing country or a nationality written
 * either way ("FR" or "FRA") has one canonical form: alpha-3, uppercase.
 *
 * The canonical form is part of the `doc` match key, so changing a mapping here is a protocol change.
 */

/** `alpha2 alpha3` pairs, ISO 3166-1 (officially assigned code elements). */
const ISO_PAIRS =
  'AD AND,AE ARE,AF AFG,AG ATG,AI AIA,AL ALB,AM ARM,AO AGO,AQ ATA,AR ARG,AS ASM,AT AUT,AU AUS,AW ABW,' +
  'AX ALA,AZ AZE,BA BIH,BB BRB,BD BGD,BE BEL,BF BFA,BG BGR,BH BHR,BI BDI,BJ BEN,BL BLM,BM BMU,BN BRN,' +
  'BO BOL,BQ BES,BR BRA,BS BHS,BT BTN,BV BVT,BW BWA,BY BLR,BZ BLZ,CA CAN,CC CCK,CD COD,CF CAF,CG COG,' +
  'CH CHE,CI CIV,CK COK,CL CHL,CM CMR,CN CHN,CO COL,CR CRI,CU CUB,CV CPV,CW CUW,CX CXR,CY CYP,CZ CZE,' +
  'DE DEU,DJ DJI,DK DNK,DM DMA,DO DOM,DZ DZA,EC ECU,EE EST,EG EGY,EH ESH,ER ERI,ES ESP,ET ETH,FI FIN,' +
  'FJ FJI,FK FLK,FM FSM,FO FRO,FR FRA,GA GAB,GB GBR,GD GRD,GE GEO,GF GUF,GG GGY,GH GHA,GI GIB,GL GRL,' +
  'GM GMB,GN GIN,GP GLP,GQ GNQ,GR GRC,GS SGS,GT GTM,GU GUM,GW GNB,GY GUY,HK HKG,HM HMD,HN HND,HR HRV,' +
  'HT HTI,HU HUN,ID IDN,IE IRL,IL ISR,IM IMN,IN IND,IO IOT,IQ IRQ,IR IRN,IS ISL,IT ITA,JE JEY,JM JAM,' +
  'JO JOR,JP JPN,KE KEN,KG KGZ,KH KHM,KI KIR,KM COM,KN KNA,KP PRK,KR KOR,KW KWT,KY CYM,KZ KAZ,LA LAO,' +
  'LB LBN,LC LCA,LI LIE,LK LKA,LR LBR,LS LSO,LT LTU,LU LUX,LV LVA,LY LBY,MA MAR,MC MCO,MD MDA,ME MNE,' +
  'MF MAF,MG MDG,MH MHL,MK MKD,ML MLI,MM MMR,MN MNG,MO MAC,MP MNP,MQ MTQ,MR MRT,MS MSR,MT MLT,MU MUS,' +
  'MV MDV,MW MWI,MX MEX,MY MYS,MZ MOZ,NA NAM,NC NCL,NE NER,NF NFK,NG NGA,NI NIC,NL NLD,NO NOR,NP NPL,' +
  'NR NRU,NU NIU,NZ NZL,OM OMN,PA PAN,PE PER,PF PYF,PG PNG,PH PHL,PK PAK,PL POL,PM SPM,PN PCN,PR PRI,' +
  'PS PSE,PT PRT,PW PLW,PY PRY,QA QAT,RE REU,RO ROU,RS SRB,RU RUS,RW RWA,SA SAU,SB SLB,SC SYC,SD SDN,' +
  'SE SWE,SG SGP,SH SHN,SI SVN,SJ SJM,SK SVK,SL SLE,SM SMR,SN SEN,SO SOM,SR SUR,SS SSD,ST STP,SV SLV,' +
  'SX SXM,SY SYR,SZ SWZ,TC TCA,TD TCD,TF ATF,TG TGO,TH THA,TJ TJK,TK TKL,TL TLS,TM TKM,TN TUN,TO TON,' +
  'TR TUR,TT TTO,TV TUV,TW TWN,TZ TZA,UA UKR,UG UGA,UM UMI,US USA,UY URY,UZ UZB,VA VAT,VC VCT,VE VEN,' +
  'VG VGB,VI VIR,VN VNM,VU VUT,WF WLF,WS WSM,YE YEM,YT MYT,ZA ZAF,ZM ZMB,ZW ZWE';

/**
 * Codes outside ISO 3166-1's assigned list that police data really carries, with their canonical form:
 * Kosovo (user-assigned XK/XKX, "RKS" in Kosovo MRZs), the EU's "EL"/"UK" abbreviations, Germany's
 * one-letter MRZ code "D", and ICAO Doc 9303 Part 3 codes for non-national issuers and statuses.
 */
const EXTRA_ALIASES: Readonly<Record<string, string>> = {
  XK: 'XKX',
  XKX: 'XKX',
  RKS: 'XKX',
  UK: 'GBR',
  EL: 'GRC',
  D: 'DEU',
  // British nationality classes (ICAO 9303-3, 5.1)
  GBD: 'GBD',
  GBN: 'GBN',
  GBO: 'GBO',
  GBP: 'GBP',
  GBS: 'GBS',
  // United Nations and specialized agencies
  UNO: 'UNO',
  UNA: 'UNA',
  UNK: 'UNK',
  // European Union, INTERPOL, Sovereign Military Order of Malta
  EUE: 'EUE',
  XPO: 'XPO',
  XOM: 'XOM',
  // stateless person, refugee (1951 Convention), refugee (other), unspecified nationality
  XXA: 'XXA',
  XXB: 'XXB',
  XXC: 'XXC',
  XXX: 'XXX',
};

const CANONICAL: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const pair of ISO_PAIRS.split(',')) {
    const [a2, a3] = pair.split(' ');
    if (a2 === undefined || a3 === undefined) throw new Error('country table is malformed');
    m.set(a2, a3);
    m.set(a3, a3);
  }
  for (const [k, v] of Object.entries(EXTRA_ALIASES)) m.set(k, v);
  return m;
})();

/** Number of ISO 3166-1 entries in the table (249); exported for the table's own test. */
export const ISO_COUNTRY_COUNT = ISO_PAIRS.split(',').length;

/**
 * Canonical ISO 3166-1 alpha-3 (or ICAO 9303 special code) for an alpha-2 or alpha-3 input, any case,
 * surrounding spaces ignored. Throws `bad_request` for anything else; the value is never echoed.
 */
export function normalizeCountry(code: string): string {
  const c = CANONICAL.get(code.trim().toUpperCase());
  if (c === undefined) throw new VeilError('bad_request', 'country is not an ISO 3166-1 alpha-2/alpha-3 code');
  return c;
}

/** True when `normalizeCountry` would accept the code. */
export function isCountryCode(code: string): boolean {
  return CANONICAL.has(code.trim().toUpperCase());
}
