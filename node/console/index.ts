/**
 * The data owners' approval console: accounts, sessions and the web pages where
 * an officer approves (choosing fields) or denies disclosure requests, served on the node's admin
 * listener.
 */

export { type ConsoleDeps, createConsoleApp } from './app.tsx';
export { LoginThrottle, type ThrottleOptions } from './login-throttle.ts';
export { authenticateOwner, CLI_ADDRESS, type OwnerAuthResult } from './owner-auth.ts';
export { addOwnerInDir, disableOwnerInDir, listOwnersInDir } from './owner-dir.ts';
export { addOwner, disableOwner, listOwners, MIN_PASSWORD_LENGTH, type OwnerInfo } from './owners.ts';
export { type ConsoleHandle, type StartConsoleOptions, startConsole } from './server.ts';
export { SESSION_TTL_MS } from './sessions.ts';
