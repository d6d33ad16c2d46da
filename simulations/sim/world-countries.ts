/**
 * The 195 countries a simulation can have (the 193 UN member states, the Holy See and Palestine), each
 * with its ISO codes and who its records are about: the 15 countries of the population generator
 * (`simulations/population`) keep their own mix of naming cultures; every other country takes the mix
 * of its region. The 15 come first, so a scenario with `countries: { count: 6 }` gets DE FR ES IT NL PL.
 */
import { COUNTRIES, type CountrySpec, type Script } from '../population/index.ts';

type Region = 'W' | 'A' | 'L' | 'P' | 'C' | 'B' | 'S' | 'T' | 'R' | 'E' | 'V' | 'F' | 'N';

/** Regional mixes of naming cultures (per cent) and the scripts records there use. */
const REGIONS: Readonly<Record<Region, { scripts: readonly Script[]; mix: CountrySpec['mix'] }>> = {
  W: { scripts: ['latin'], mix: { de: 28, fr: 25, nl: 12, it: 10, es: 5, pt: 3, pl: 4, tr: 4, ar: 6, ie: 3 } },
  A: { scripts: ['latin'], mix: { ie: 60, de: 7, it: 7, pl: 5, zh: 6, ar: 6, es: 5, vi: 4 } },
  L: { scripts: ['latin'], mix: { es: 84, pt: 5, it: 5, ar: 2, de: 2, zh: 2 } },
  P: { scripts: ['latin'], mix: { pt: 86, es: 6, it: 3, ar: 3, de: 2 } },
  C: { scripts: ['latin'], mix: { pl: 55, hu: 10, lt: 12, uk: 12, ru: 6, de: 5 } },
  B: { scripts: ['latin', 'cyrillic'], mix: { sr: 72, bg: 8, el: 4, hu: 4, tr: 12 } },
  S: { scripts: ['latin', 'cyrillic'], mix: { ru: 62, uk: 20, tr: 12, ar: 5, he: 1 } },
  T: { scripts: ['latin'], mix: { tr: 82, ru: 12, ar: 6 } },
  R: { scripts: ['latin', 'arabic'], mix: { ar: 95, tr: 3, fr: 2 } },
  E: { scripts: ['latin', 'han'], mix: { zh: 88, vi: 7, ie: 5 } },
  V: { scripts: ['latin'], mix: { vi: 70, zh: 25, ar: 5 } },
  F: { scripts: ['latin'], mix: { fr: 58, ar: 35, pt: 4, es: 3 } },
  N: { scripts: ['latin'], mix: { ie: 62, ar: 26, pt: 7, fr: 5 } },
};

/** `alpha2 alpha3 region` for every country but the population generator's 15. */
const OTHERS =
  'AD AND W,AE ARE R,AF AFG R,AG ATG A,AL ALB B,AM ARM S,AO AGO P,AR ARG L,AT AUT W,AU AUS A,AZ AZE T,BA BIH B,BB BRB A,' +
  'BD BGD N,BE BEL W,BF BFA F,BH BHR R,BI BDI F,BJ BEN F,BN BRN V,BO BOL L,BR BRA P,BS BHS A,BT BTN N,BW BWA N,BY BLR S,' +
  'BZ BLZ A,CA CAN A,CD COD F,CF CAF F,CG COG F,CH CHE W,CI CIV F,CL CHL L,CM CMR F,CN CHN E,CO COL L,CR CRI L,CU CUB L,' +
  'CV CPV P,CY CYP B,CZ CZE C,DJ DJI F,DK DNK W,DM DMA A,DO DOM L,DZ DZA R,EC ECU L,EE EST C,EG EGY R,ER ERI N,ET ETH N,' +
  'FI FIN W,FJ FJI A,FM FSM A,GA GAB F,GB GBR A,GD GRD A,GE GEO S,GH GHA N,GM GMB N,GN GIN F,GQ GNQ L,GT GTM L,GW GNB P,' +
  'GY GUY A,HN HND L,HR HRV B,HT HTI F,ID IDN V,IE IRL A,IN IND N,IQ IRQ R,IR IRN R,IS ISL W,JM JAM A,JP JPN E,KE KEN N,' +
  'KG KGZ S,KH KHM V,KI KIR A,KM COM F,KN KNA A,KP PRK E,KR KOR E,KW KWT R,KZ KAZ S,LA LAO V,LB LBN R,LC LCA A,LI LIE W,' +
  'LK LKA N,LR LBR N,LS LSO N,LT LTU C,LU LUX W,LV LVA C,LY LBY R,MA MAR R,MC MCO W,MD MDA S,ME MNE B,MG MDG F,MH MHL A,' +
  'MK MKD B,ML MLI F,MM MMR V,MN MNG E,MR MRT R,MT MLT W,MU MUS F,MV MDV N,MW MWI N,MX MEX L,MY MYS V,MZ MOZ P,NA NAM N,' +
  'NE NER F,NG NGA N,NI NIC L,NO NOR W,NP NPL N,NR NRU A,NZ NZL A,OM OMN R,PA PAN L,PE PER L,PG PNG A,PH PHL V,PK PAK N,' +
  'PS PSE R,PT PRT P,PW PLW A,PY PRY L,QA QAT R,RO ROU C,RU RUS S,RW RWA F,SA SAU R,SB SLB A,SC SYC F,SD SDN R,SE SWE W,' +
  'SI SVN C,SK SVK C,SL SLE N,SM SMR W,SN SEN F,SO SOM R,SR SUR A,SS SSD N,ST STP P,SV SLV L,SY SYR R,SZ SWZ N,TD TCD F,' +
  'TG TGO F,TH THA V,TJ TJK S,TL TLS P,TM TKM T,TN TUN R,TO TON A,TT TTO A,TV TUV A,TZ TZA N,UG UGA N,US USA A,UY URY L,' +
  'UZ UZB T,VA VAT W,VC VCT A,VE VEN L,VN VNM V,VU VUT A,WS WSM A,YE YEM R,ZA ZAF N,ZM ZMB N,ZW ZWE N';

const OWN: ReadonlyArray<readonly [string, string]> = [
  ['DE', 'DEU'],
  ['FR', 'FRA'],
  ['ES', 'ESP'],
  ['IT', 'ITA'],
  ['NL', 'NLD'],
  ['PL', 'POL'],
  ['HU', 'HUN'],
  ['GR', 'GRC'],
  ['BG', 'BGR'],
  ['UA', 'UKR'],
  ['RS', 'SRB'],
  ['TR', 'TUR'],
  ['IL', 'ISR'],
  ['JO', 'JOR'],
  ['SG', 'SGP'],
];

export interface WorldCountry {
  /** ISO 3166-1 alpha-2: the member's name in the network. */
  readonly code: string;
  /** Its population spec (alpha-3 code, scripts, mix of naming cultures). */
  readonly spec: CountrySpec;
}

function build(): WorldCountry[] {
  const out: WorldCountry[] = [];
  for (const [a2, a3] of OWN) {
    const spec = COUNTRIES.find((c) => c.code === a3);
    if (!spec) throw new Error(`population has no ${a3}`);
    out.push({ code: a2, spec });
  }
  for (const entry of OTHERS.split(',')) {
    const [a2, a3, region] = entry.split(' ') as [string, string, Region];
    const r = REGIONS[region];
    out.push({ code: a2, spec: { code: a3, scripts: r.scripts, mix: r.mix } });
  }
  return out;
}

export const WORLD: readonly WorldCountry[] = build();

export function worldCountry(code: string): WorldCountry | undefined {
  return WORLD.find((c) => c.code === code);
}
