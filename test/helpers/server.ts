// The fixture most command tests share: one in-process cinnabar per describe block, ioredis
// clients in RESP2 and RESP3, a raw connection for exact bytes, and per-test raw connections
// that are closed after each test. withServer() registers the hooks; its getters are usable
// from inside tests and later hooks.

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DirectiveValue } from '../../src/index.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import type { Db } from '../../src/store/db.js';
import { startCinnabar } from './cinnabar.js';
import { RawConnection } from './resp.js';

/** ioredis connected to `port` in the given protocol, without its ready-check round trip. */
export async function connectIoredis(port: number, protocol: 2 | 3): Promise<Redis> {
  const client = new Redis({ port, protocol, lazyConnect: true, enableReadyCheck: false });
  await client.connect();
  return client;
}

export class ServerFixture {
  private started: { running: RunningServerInternal; r2: Redis; r3: Redis; raw: RawConnection } | null = null;
  private perTest: RawConnection[] = [];

  constructor(private readonly directives: Record<string, DirectiveValue>) {}

  /** Starts the server and the shared clients (the beforeAll hook). */
  async start(): Promise<void> {
    const running = await startCinnabar(this.directives);
    const [r2, r3, raw] = await Promise.all([
      connectIoredis(running.port, 2), connectIoredis(running.port, 3), RawConnection.connect(running.port),
    ]);
    this.started = { running, r2, r3, raw };
  }

  /** Closes what start() and connect() opened, then the server (the afterAll hook). */
  async stop(): Promise<void> {
    this.closePerTest();
    if (this.started === null) return;
    const { running, r2, r3, raw } = this.started;
    this.started = null;
    raw.close();
    r2.disconnect();
    r3.disconnect();
    await running.close();
  }

  /** Closes the connections opened by connect() during the test that just ended. */
  closePerTest(): void {
    for (const c of this.perTest) c.close();
    this.perTest = [];
  }

  private get state(): { running: RunningServerInternal; r2: Redis; r3: Redis; raw: RawConnection } {
    if (this.started === null) throw new Error('withServer(): the server is not running (used outside a test?)');
    return this.started;
  }

  get running(): RunningServerInternal {
    return this.state.running;
  }

  get port(): number {
    return this.state.running.port;
  }

  /** Shared ioredis client speaking RESP2. */
  get r2(): Redis {
    return this.state.r2;
  }

  /** Shared ioredis client speaking RESP3. */
  get r3(): Redis {
    return this.state.r3;
  }

  /** Shared raw RESP2 connection for byte-exact assertions. */
  get raw(): RawConnection {
    return this.state.raw;
  }

  /** A database of the running server, for assertions on the stored representation. */
  db(index = 0): Db {
    return this.state.running.server.keyspace.dbs[index];
  }

  /** A fresh raw connection (switched to RESP3 when asked), closed when the test ends. */
  async connect(resp: 2 | 3 = 2): Promise<RawConnection> {
    const c = await RawConnection.connect(this.port);
    this.perTest.push(c);
    if (resp === 3) await c.call('HELLO', '3');
    return c;
  }
}

/** Declares, in the enclosing describe block, a server started with `directives`. */
export function withServer(directives: Record<string, DirectiveValue> = {}): ServerFixture {
  const fixture = new ServerFixture(directives);
  beforeAll(() => fixture.start());
  afterEach(() => fixture.closePerTest());
  afterAll(() => fixture.stop());
  return fixture;
}
