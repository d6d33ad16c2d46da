/**
 * The data owners' approval console (DESIGN.md §4 step 4): accounts, sessions and the web pages where
 * an officer approves (choosing fields) or denies disclosure requests, served on the node's admin
 * listener.
 */
export { startConsole, type StartConsoleOptions, type ConsoleHandle } from './server.ts';
export { createConsoleApp, type ConsoleDeps } from './app.tsx';
export { addOwner, listOwners, disableOwner, MIN_PASSWORD_LENGTH, SESSION_TTL_MS, type OwnerInfo, type ThrottleOptions } from './owners.ts';
export { addOwnerInDir, listOwnersInDir, disableOwnerInDir } from './owner-dir.ts';
