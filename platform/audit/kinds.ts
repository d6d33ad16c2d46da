/**
 * The registry of audit entry kinds: every event a party may record in its audit log, with what it
 * records. The registry is append-only: old logs must keep verifying, and the verifier rejects kinds it
 * does not know, so a kind is added freely but never removed or renamed.
 */

/**
 * Every kind of audit entry, with what it records. Add kinds freely; never remove or rename one:
 * old logs must keep verifying (`verifyAudit` rejects kinds it does not know).
 */
export const AUDIT_KINDS = {
  'node.initialised': 'a country node directory was created (keys, epoch 1)',
  'node.started': 'a country node started',
  'node.stopped': 'a country node stopped',
  'node.backup': 'a consistent, encrypted backup of the node directory was written',
  'node.restored': 'the node directory was restored from a backup (entries before this one are the backup’s)',
  'coordinator.started': 'the coordinator started',
  'coordinator.stopped': 'the coordinator stopped',
  'coordinator.leading': 'this coordinator instance took the lead of a replicated deployment (its peer id names it)',
  'member.admitted': 'a country was admitted to the registry',
  'member.removed': 'a country was removed from the registry',
  'member.connected': 'a member node connected to the coordinator',
  'member.disconnected': 'a member node disconnected',
  'query.received': 'a query arrived (from an analyst at the gateway, or from the coordinator)',
  'query.forwarded': 'a query was forwarded to the coordinator or to target nodes',
  'query.answered': 'a query was answered',
  'query.refused': 'a query was refused',
  'eval.served': 'OPRF evaluations were served to a requester',
  'eval.repeated': 'a query answered before came again (re-sent after a coordinator failover): the same answer was sent, nothing charged',
  'eval.refused': 'OPRF evaluations were refused',
  'budget.exceeded': 'a requester exceeded its budget',
  'publish.chunk': 'a chunk of the PSI index was published or stored',
  'publish.epoch': 'a new PSI epoch was published',
  'index.lookup': 'the PSI index was looked up',
  'records.imported': 'records were imported, updated or deleted (counts only)',
  'disclosure.requested': 'a disclosure request was sent or received',
  'disclosure.claim-rejected': 'a disclosure claim did not verify',
  'disclosure.queued': 'a disclosure request was queued for data owners',
  'disclosure.auto-approved': 'a disclosure request was approved by policy',
  'disclosure.approved': 'a data owner approved a disclosure',
  'disclosure.denied': 'a data owner denied a disclosure',
  'disclosure.expired': 'a disclosure request expired without a decision',
  'disclosure.delivered': 'a sealed disclosure was delivered',
  'disclosure.received': 'a sealed disclosure was received and opened',
  'mailbox.stored': 'a sealed message was stored in a mailbox',
  'mailbox.delivered': 'a stored message was delivered and acknowledged',
  'mailbox.refused': 'a message was refused by the coordinator (too large, over the sender quota) or dropped undelivered',
  'mail.refused': 'a received message was refused for good (unverifiable, misaddressed, a conflict) and dropped',
  'analyst.added': 'an analyst account was created',
  'analyst.removed': 'an analyst account was removed',
  'owner.added': 'a data owner account was created',
  'owner.removed': 'a data owner account was removed',
  'owner.login': 'a data owner logged in to the approval console',
  'owner.logout': 'a data owner logged out of the approval console',
  'owner.authenticated': 'a data owner proved an account with its password for a command-line decision (veil approvals)',
  'auth.failed': 'an authentication attempt failed',
  'auth.throttled': 'a client address or an account was locked out after failed logins (backoff)',
  'rate.limited': 'requests were refused by a rate limit or a cap on requests in flight (one entry per principal, scope and minute, with the count)',
  'key.rotated': 'a key was rotated',
  'policy.reloaded': 'the sharing policy or limits were reloaded',
  'bio.query.received': 'a biometric query arrived',
  'bio.query.answered': 'a biometric query was answered',
  'bio.query.refused': 'a biometric query was refused',
  'audit.checkpoint': 'the audit log signed its head (written only by the log itself)',
  'member.revoked': 'a revocation list suspended or revoked a member (status says which)',
  'trust.revocations': 'a newer revocation list from the organisation was applied (seq in count)',
  'trust.refused': 'a certificate, key or login did not chain to the organisation root (code says why)',
  'certificate.enrolled': 'a member certificate from the organisation was installed',
} as const satisfies Record<string, string>;

export type AuditKind = keyof typeof AUDIT_KINDS;

export function isAuditKind(x: unknown): x is AuditKind {
  return typeof x === 'string' && Object.hasOwn(AUDIT_KINDS, x);
}

/** The kind names as a non-empty tuple, for the entry schema's enum. */
export const AUDIT_KIND_NAMES = Object.keys(AUDIT_KINDS) as [AuditKind, ...AuditKind[]];
