/** What `veil node|coordinator trust-update` says after taking a newer organisation bundle. */
import type { TrustBundle } from '#protocol';

export async function trustUpdateMessage(r: { bundle: TrustBundle; rolledOver: boolean }, readmit: string): Promise<string> {
  const { rootFingerprint } = await import('#protocol');
  const fp = rootFingerprint(r.bundle.rootPub);
  if (!r.rolledOver) return `pinned bundle updated (same root ${fp}); it applies at the next start`;
  return [
    `the organisation's root rolled over to ${fp} (the pinned root signed the rollover); it applies at the next start.`,
    `This party's certificate chains to the old root: ${readmit}, then enroll the new certificate.`,
  ].join('\n');
}
