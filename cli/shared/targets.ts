/** `--targets FR,de, it`: the member countries to ask, as upper-case codes. */
export function parseTargets(list: string): string[] {
  return list.split(',').map((s) => s.trim().toUpperCase());
}
