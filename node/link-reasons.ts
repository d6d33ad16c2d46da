/**
 * What a node operator is told when the coordinator link is down: the reason in words and the command
 * that fixes it, by error code. Logged by the link at each failed attempt and shown by `veil status`.
 */

/** Why the link is down, in words, with the fix: what is logged at each attempt. */
export function reasonFor(code: string, country: string, dir: string): string {
  switch (code) {
    case 'unavailable':
      return 'the coordinator is unreachable; is it running (`veil coordinator start`) and is coordinatorUrl in node.json right?';
    case 'untrusted_tls':
      return 'the coordinator’s TLS certificate is not the one the trust bundle names; get the current bundle from the organisation';
    case 'revoked':
      return `the coordinator refused this node: the organisation suspended or revoked ${country}; it reinstates it with \`veil org reinstate ${country}\` (a revoked node is admitted again with \`veil org admit\`)`;
    case 'untrusted_key':
    case 'certificate_expired':
    case 'unknown_member':
      return `the coordinator refused this node’s certificate (${code}); have the organisation admit it again (\`veil org admit ${country} --request ${dir}/request.json\`), then \`veil node enroll --dir ${dir} --cert FILE\``;
    default:
      return `the coordinator refused this node’s login (${code})`;
  }
}
