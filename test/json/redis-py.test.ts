// redis-py's r.json() client (Debian's python3-redis 4.3.4) running a scripted session of every
// JSON command it offers against cinnabar, unchanged: its argument building and reply callbacks
// must meet RedisJSON's replies. The script lives in fixtures/redis_py_session.py.

import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinnabar } from '../helpers/cinnabar.js';
import type { RunningServerInternal } from '../../src/server/start.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/redis_py_session.py', import.meta.url));
const EXPECTED_STEPS = 35;

// pyenv's python3 may shadow Debian's, which is where apt installs python3-redis.
function findPython(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import redis.commands.json'], { stdio: 'ignore', timeout: 10_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const python = findPython();

describe('redis-py r.json() session', () => {
  let running: RunningServerInternal | undefined;

  beforeAll(async () => {
    if (python !== undefined) running = await startCinnabar();
  });

  afterAll(async () => {
    await running?.close();
  });

  // Skipped only when python3 or its redis module (apt-get install python3-redis) is missing.
  it.skipIf(python === undefined)('runs every JSON command redis-py 4.3.4 offers', async () => {
    const port = running?.port ?? 0;
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(python ?? 'python3', [SCRIPT, String(port)], { timeout: 20_000 }, (_error, stdout) => {
        resolve({ code: child.exitCode, stdout });
      });
    });
    expect(result.stdout).toContain(`steps ${EXPECTED_STEPS}`);
    expect(result.code).toBe(0);
  }, 30_000);
});
