/** The console's own wording for the error codes a data owner can meet (page title and message). */
import type { ErrorCode } from '#protocol';

/** Console-specific wording for the codes a data owner can meet; the registry's message otherwise. */
export const HINTS: Partial<Record<ErrorCode, { title: string; message: string }>> = {
  conflict: { title: 'Already decided', message: 'This request has already been decided. Decisions are final.' },
  not_found: { title: 'Not found', message: 'There is no such request or page on this node.' },
  bad_request: { title: 'Not accepted', message: 'The form was not accepted. Please check it and try again.' },
  forbidden: {
    title: 'Refused',
    message: 'The form could not be verified (expired or cross-site). Reload the page and submit again.',
  },
  rate_limited: { title: 'Too many attempts', message: 'Too many requests. Please wait and try again.' },
  too_large: { title: 'Too large', message: 'The form is too large.' },
  internal: { title: 'Something went wrong', message: 'The console could not complete this action. It has been logged; nothing was decided.' },
};
