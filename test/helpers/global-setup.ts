// Runs once before the suites: reports whether the differential tests can run.

import { redisServerPath } from './reference.js';

export default function setup(): void {
  if (redisServerPath() === null) {
    process.stdout.write('\n[cinnabar] redis-server not found on PATH: the differential tests (test/compat) are skipped. ' +
      'Install it with: apt-get install -y redis-server redis-tools\n\n');
  }
}
