/** A logger that keeps what a party logged, so a test can assert that it said why something failed. */
import type { LogFields, Logger } from '#platform';

export interface CapturedLog {
  readonly logger: Logger;
  readonly warnings: Array<{ event: string; fields: LogFields }>;
  /** Whether a warning carried this error code. */
  warned(code: string): boolean;
}

export function capturingLogger(): CapturedLog {
  const warnings: CapturedLog['warnings'] = [];
  return {
    logger: {
      info() {},
      debug() {},
      warn: (event, fields = {}) => warnings.push({ event, fields }),
      error: (event, _err, fields = {}) => warnings.push({ event, fields }),
    },
    warnings,
    warned: (code) => warnings.some((w) => w.fields.code === code),
  };
}
