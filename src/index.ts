// Cinnabar's public API: start a real server in-process (port 0 picks a free port).

export { startServer, loadConfig, StartupError } from './server/start.js';
export type { StartOptions, RunningServer, DirectiveValue } from './server/start.js';
export { REDIS_VERSION, CINNABAR_VERSION } from './util/version.js';
