/**
 * The data owners' approval console: accounts, sessions and the web pages where
 * an officer approves (choosing fields) or denies disclosure requests, served on the node's admin
 * listener.
 */
export { startConsole, type StartConsoleOptions, type ConsoleHandle } from './server.ts';
export { createConsoleApp, type ConsoleDeps } from './app.tsx';
export { addOwner, listOwners, disableOwner, MIN_PASSWORD_LENGTH, type OwnerInfo } from './owners.ts';
export { SESSION_TTL_MS } from './sessions.ts';
export { LoginThrottle, type ThrottleOptions } from './login-throttle.ts';
export { authenticateOwner, CLI_ADDRESS, type OwnerAuthResult } from './owner-auth.ts';
export { addOwnerInDir, listOwnersInDir, disableOwnerInDir } from './owner-dir.ts';
