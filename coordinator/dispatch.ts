/**
 * Routes each frame of an authenticated session to the concern that handles it. The switch is
 * exhaustive over the node frame kinds: a new kind does not compile until it is routed here.
 */
import { assertNever, type NodeFrame } from '#protocol';
import type { Directory } from './directory.ts';
import type { Fanout } from './fanout.ts';
import type { Lookups } from './lookup.ts';
import type { Mailboxes } from './mailboxes.ts';
import type { Publications } from './publish.ts';
import type { Session } from './sessions.ts';

export interface Handlers {
  directory: Pick<Directory, 'onDescriptor'>;
  fanout: Pick<Fanout, 'onQuery' | 'onEvalResults'>;
  lookups: Lookups;
  publications: Publications;
  mailboxes: Pick<Mailboxes, 'onSend' | 'onAck'>;
  /** Answer who is connected (members may know each other's presence; docs/design.md). */
  presence: (s: Session, id: string) => void;
}

/** Handles one frame; a Promise means the frame is still being handled (the session's next frames wait). */
export type Dispatch = (s: Session, frame: NodeFrame) => void | Promise<void>;

export function createDispatch(h: Handlers): Dispatch {
  return (s, frame) => {
    switch (frame.t) {
      case 'descriptor':
        return h.directory.onDescriptor(s, frame.env);
      case 'query':
        return h.fanout.onQuery(s, frame.env);
      case 'eval-results':
        return h.fanout.onEvalResults(s, frame.results);
      case 'lookup':
        return h.lookups.onLookup(s, frame.env);
      case 'publish':
        return h.publications.onPublish(s, frame.env, frame.commit);
      case 'mail-send':
        return h.mailboxes.onSend(s, frame.mid, frame.to, frame.env);
      case 'mail-ack':
        return h.mailboxes.onAck(s, frame.mids);
      case 'presence':
        return h.presence(s, frame.id);
      default:
        return assertNever(frame);
    }
  };
}
