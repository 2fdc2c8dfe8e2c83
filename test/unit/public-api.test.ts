// The published API (src/index.ts) hands out interfaces only: the engine's classes must not
// leak into users' types. These are compile-time checks, enforced because `npm test` runs tsc
// over test/ before vitest.

import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';
import type { ConfigView, RunningServer, StartOptions } from '../../src/index.js';

describe('public API types', () => {
  it('startServer resolves to a handle with only port and close()', () => {
    expectTypeOf<keyof RunningServer>().toEqualTypeOf<'port' | 'close'>();
    expectTypeOf(api.startServer).parameters.toEqualTypeOf<[options?: StartOptions]>();
    expectTypeOf(api.startServer).returns.resolves.toEqualTypeOf<RunningServer>();
  });

  it('loadConfig hands out a read-only view, not the Config class', () => {
    expectTypeOf(api.loadConfig).returns.toEqualTypeOf<ConfigView>();
    expectTypeOf<keyof ConfigView>().toEqualTypeOf<'configFile' | 'get' | 'live'>();
    const config = api.loadConfig({ directives: { hz: '20', 'slave-read-only': 'no' } });
    expect([config.get('hz'), config.get('replica-read-only'), config.live.hz, config.configFile]).toEqual([20, false, 20, null]);
  });

  it('the handle works as its type promises', async () => {
    const running = await api.startServer({ port: 0, directives: { bind: '127.0.0.1', loglevel: 'warning' } });
    expect(running.port).toBeGreaterThan(0);
    const closing = running.close();
    expect(running.close()).toBe(closing);
    await closing;
  });
});
