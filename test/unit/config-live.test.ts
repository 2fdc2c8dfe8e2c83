// Typed directive names and the live settings (config.live): the types are checked by tsc over
// test/ (part of `npm test`); the values by vitest.

import { describe, expect, expectTypeOf, it } from 'vitest';
import { Config } from '../../src/config/config.js';
import {
  DIRECTIVES, type BoolDirectiveName, type DirectiveName, type EnumWord, type NumericDirectiveName, type TextDirectiveName,
} from '../../src/config/directives.js';
import { NOTIFY_ALL, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_STRING } from '../../src/config/keyspace-events.js';
import { LIVE_FIELDS, type LiveFieldName, type LiveSettings } from '../../src/config/live.js';

const allow = { allowProtected: true };

/** Every live field equals its converter applied to what get() returns now. */
function expectLiveInSync(config: Config): void {
  for (const field of Object.keys(LIVE_FIELDS) as LiveFieldName[]) {
    const { directive, fromValue } = LIVE_FIELDS[field];
    expect({ field, value: config.live[field] }).toEqual({ field, value: fromValue(config.get(directive)) });
  }
}

describe('typed directive names', () => {
  it('accessors take only names of their kind, aliases included', () => {
    expectTypeOf<'proto-max-bulk-len'>().toMatchTypeOf<NumericDirectiveName>();
    expectTypeOf<'hash-max-ziplist-entries'>().toMatchTypeOf<NumericDirectiveName>();
    expectTypeOf<'slave-read-only'>().toMatchTypeOf<BoolDirectiveName>();
    expectTypeOf<'slaveof'>().toMatchTypeOf<TextDirectiveName>();
    expectTypeOf<'proto-max-bulk-length'>().not.toMatchTypeOf<DirectiveName>();
    expectTypeOf<'requirepass'>().not.toMatchTypeOf<NumericDirectiveName>();
    expectTypeOf<'hz'>().not.toMatchTypeOf<BoolDirectiveName>();
    expectTypeOf<EnumWord<'loglevel'>>().toEqualTypeOf<'debug' | 'verbose' | 'notice' | 'warning'>();
  });

  it('a misspelt or wrong-kind name does not compile', () => {
    // Never called: these lines exist for tsc, which must report each one.
    const neverRun = (config: Config): void => {
      // @ts-expect-error a misspelt directive
      config.num('proto-max-bulk-length');
      // @ts-expect-error requirepass is text, not a number
      config.num('requirepass');
      // @ts-expect-error hz is a number, not yes/no
      config.bool('hz');
      // @ts-expect-error live fields are read-only outside Config
      config.live.hz = 5;
      // @ts-expect-error no such live field
      void config.live.protoMaxBulkLen;
    };
    expect(typeof neverRun).toBe('function');
  });

  it('get() and the typed accessors answer to aliases', () => {
    const config = new Config(DIRECTIVES);
    expect(config.setMany([['hash-max-ziplist-entries', '7'], ['slave-read-only', 'no']], allow)).toBeNull();
    expect(config.num('hash-max-ziplist-entries')).toBe(7);
    expect(config.num('hash-max-listpack-entries')).toBe(7);
    expect(config.bool('slave-read-only')).toBe(false);
    expect(config.str('slaveof')).toBe('');
    const seen: number[] = [];
    config.onChange('hash-max-ziplist-entries', (v) => seen.push(v as number));
    expect(config.setMany([['hash-max-listpack-entries', '9']], allow)).toBeNull();
    expect(seen).toEqual([9]);
  });
});

describe('config.live', () => {
  it('starts at the defaults, with units in the names', () => {
    const { live } = new Config(DIRECTIVES);
    expect(live).toMatchObject({
      protoMaxBulkLenBytes: 512 * 1024 * 1024,
      clientQueryBufferLimitBytes: 1024 * 1024 * 1024,
      slowlogLogSlowerThanMicros: 10_000,
      latencyTracking: true,
      maxclients: 10_000,
      notifyKeyspaceEvents: 0,
      timeoutSec: 0,
      hz: 10,
      requirepass: '',
      enableDebugCommand: 'no',
    } satisfies Partial<LiveSettings>);
    expectTypeOf(live.enableDebugCommand).toEqualTypeOf<'no' | 'yes' | 'local'>();
    expectTypeOf(live.notifyKeyspaceEvents).toEqualTypeOf<number>();
    expectTypeOf(live.latencyTracking).toEqualTypeOf<boolean>();
  });

  it('CONFIG SET updates the fields, in their units, and keeps every field in sync', () => {
    const config = new Config(DIRECTIVES);
    const live = config.live;
    expect(config.setMany([
      ['proto-max-bulk-len', '2mb'], ['client-query-buffer-limit', '4mb'], ['slowlog-log-slower-than', '-1'],
      ['latency-tracking', 'no'], ['maxclients', '50'], ['notify-keyspace-events', 'KE$'], ['timeout', '30'],
      ['hz', '1000'], ['requirepass', 's3cret'],
    ], allow)).toBeNull();
    // The same object: hot-path code may keep a reference to it.
    expect(config.live).toBe(live);
    expect(live).toMatchObject({
      protoMaxBulkLenBytes: 2 * 1024 * 1024,
      clientQueryBufferLimitBytes: 4 * 1024 * 1024,
      slowlogLogSlowerThanMicros: -1,
      latencyTracking: false,
      maxclients: 50,
      notifyKeyspaceEvents: NOTIFY_KEYSPACE | NOTIFY_KEYEVENT | NOTIFY_STRING,
      timeoutSec: 30,
      hz: 500, // clamped as Redis clamps it
      requirepass: 's3cret',
    });
    expectLiveInSync(config);
  });

  it('a CONFIG SET that fails to parse leaves every field unchanged', () => {
    const config = new Config(DIRECTIVES);
    const before = { ...config.live };
    expect(config.setMany([['timeout', '5'], ['notify-keyspace-events', 'KA'], ['hz', 'abc']], allow)).toMatch(/argument 'hz'/);
    expect(config.setMany([['maxclients', '5'], ['daemonize', 'yes']], allow)).toMatch(/immutable/);
    expect(config.setMany([['timeout', '5'], ['tls-port', '6380']], allow)).toMatch(/can only be '0'/);
    expect({ ...config.live }).toEqual(before);
  });

  it('a CONFIG SET whose side effect fails rolls the fields back', () => {
    const config = new Config(DIRECTIVES);
    const seenDuringApply: number[] = [];
    config.setApplier('port', () => {
      seenDuringApply.push(config.live.timeoutSec);
      return 'Unable to listen on this port';
    });
    expect(config.setMany([['timeout', '42'], ['notify-keyspace-events', 'KEA'], ['port', '1234']], allow)).toMatch(/Unable to listen/);
    // Appliers see the new values (as Redis's apply functions do), then everything is restored.
    expect(seenDuringApply).toEqual([42]);
    expect(config.live.timeoutSec).toBe(0);
    expect(config.live.notifyKeyspaceEvents).toBe(0);
    expectLiveInSync(config);
  });

  it('loading a file and flags sets the fields', () => {
    const config = new Config(DIRECTIVES);
    config.loadText('hz 20\nnotify-keyspace-events A\nproto-max-bulk-len 1mb\nenable-debug-command local\ntimeout 1\ntimeout 2\n', '/');
    expect(config.live).toMatchObject({
      hz: 20, notifyKeyspaceEvents: NOTIFY_ALL, protoMaxBulkLenBytes: 1024 * 1024, enableDebugCommand: 'local', timeoutSec: 2,
    });
    expectLiveInSync(config);
  });

  it('every live field names a directive of the table', () => {
    const names = new Set(DIRECTIVES.flatMap((d) => ('alias' in d ? [d.name, d.alias] : [d.name])));
    for (const { directive } of Object.values(LIVE_FIELDS)) expect(names).toContain(directive);
  });
});
