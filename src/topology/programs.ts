// Where the bundled programs are. The same relative path works from src/topology/ (tests run
// the TypeScript) and from dist/topology/ (the published package): both sit two levels under
// the package root, whose dist/bundle/ holds the programs `npm run build` produces.

import { fileURLToPath } from 'node:url';

export const SERVER_PROGRAM = fileURLToPath(new URL('../../dist/bundle/cinnabar-server.js', import.meta.url));
export const SENTINEL_PROGRAM = fileURLToPath(new URL('../../dist/bundle/cinnabar-sentinel.js', import.meta.url));
