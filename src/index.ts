// Cinnabar's public API: start a real server in-process (port 0 picks a free port).
// Only interfaces are published: the engine's classes stay internal, so they can change
// without breaking users (the test run type-checks that they do not leak).

import { startServer as startServerWithInternals, type RunningServer, type StartOptions } from './server/start.js';

export { loadConfig, StartupError } from './server/start.js';
export type { StartOptions, RunningServer, DirectiveValue } from './server/start.js';
export { REDIS_VERSION, CINNABAR_VERSION } from './util/version.js';

/** Starts a server in this process; resolves once it listens. */
export const startServer: (options?: StartOptions) => Promise<RunningServer> = startServerWithInternals;
