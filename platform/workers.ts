/**
 * Worker threads running TypeScript modules: the plumbing lives in the SDK (the lowest layer that does
 * I/O, so the analyst's proof verification can use it too); node and coordinator reach it here.
 */
export { defaultWorkerCount, siblingModule, startTsWorker } from '#sdk';
