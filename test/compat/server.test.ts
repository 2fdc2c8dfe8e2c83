import { it } from 'vitest';
import { describeDifferential } from '../helpers/differential.js';

describeDifferential('server administration commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`CONFIG GET/SET replies and errors match in RESP${resp}`, async () => {
      await servers.run([
        ['CONFIG', 'GET', 'hz'], ['CONFIG', 'GET', 'MAXMEMORY'], ['CONFIG', 'GET', 'slaveof'], ['CONFIG', 'GET', 'key-load-delay'],
        ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET', 'nosuch*'], ['CONFIG', 'GET', 'timeout', 'timeout'],
        ['CONFIG', 'SET', 'hz', '0'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '1000'], ['CONFIG', 'GET', 'hz'],
        ['CONFIG', 'SET', 'hz', '10'],
        ['CONFIG', 'SET', 'foo', 'bar'], ['CONFIG', 'SET', 'hz'], ['CONFIG', 'SET', 'hz', '1', 'timeout'],
        ['CONFIG', 'SET', 'port', 'abc'], ['CONFIG', 'SET', 'loglevel', 'foo'], ['CONFIG', 'SET', 'daemonize', 'yes'],
        ['CONFIG', 'SET', 'dir', '/tmp'], ['CONFIG', 'SET', 'maxclients', '0'], ['CONFIG', 'SET', 'timeout', '-1'],
        ['CONFIG', 'SET', 'tcp-keepalive', '1.5'], ['CONFIG', 'SET', 'proto-max-bulk-len', '10'],
        ['CONFIG', 'SET', 'maxmemory-clients', '200%'], ['CONFIG', 'SET', 'maxmemory-clients', '5%'],
        ['CONFIG', 'GET', 'maxmemory-clients'], ['CONFIG', 'SET', 'maxmemory-clients', '0'],
        ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'], ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
        ['CONFIG', 'GET', 'notify-keyspace-events'], ['CONFIG', 'SET', 'notify-keyspace-events', ''],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 x'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 2kb 3'], ['CONFIG', 'GET', 'client-output-buffer-limit'],
        ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0'],
        ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 200'],
        ['CONFIG', 'SET', 'latency-tracking-info-percentiles', 'abc'],
        ['CONFIG', 'SET', 'shutdown-on-sigterm', 'force nosave now'], ['CONFIG', 'GET', 'shutdown-on-sigterm'],
        ['CONFIG', 'SET', 'shutdown-on-sigterm', 'default'],
        ['CONFIG', 'SET', 'timeout', '5', 'timeout', '6'], ['CONFIG', 'SET', 'timeout', '5', 'hz', 'x'], ['CONFIG', 'GET', 'timeout'],
        ['CONFIG', 'SET', 'slowlog-max-len', '64', 'latency-monitor-threshold', '0'], ['CONFIG', 'GET', 'slowlog-max-len'],
        ['CONFIG', 'SET', 'slowlog-max-len', '128'],
        ['CONFIG', 'GET_XX'], ['CONFIG'], ['CONFIG', 'RESETSTAT', 'x'],
      ], resp);
    });

    it(`DEBUG, SLOWLOG, LATENCY and MEMORY deterministic replies match in RESP${resp}`, async () => {
      await servers.run([
        ...['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nope']
          .map((t) => ['DEBUG', 'PROTOCOL', t]),
        ['DEBUG', 'NOSUCH'], ['DEBUG', 'SLEEP'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
        ['DEBUG', 'ERROR', 'CUSTOM failure'], ['DEBUG', 'POPULATE', 'x'], ['DEBUG', 'POPULATE', '-3'],
        ['DEBUG', 'POPULATE', '3', 'k', '4'], ['GET', 'k:1'], ['DEBUG', 'POPULATE', '2'], ['GET', 'key:1'],
        ['DEBUG', 'POPULATE', '2', 'pad', '20'], ['GET', 'pad:1'], ['STRLEN', 'pad:0'], ['DBSIZE'],
        ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'NOPE'],
        ['SLOWLOG', 'RESET'],
        ['LATENCY', 'HISTORY', 'nosuch'], ['LATENCY', 'RESET', 'nosuch'], ['LATENCY', 'GRAPH', 'nosuch'],
        ['LATENCY', 'HELP', 'x'], ['LATENCY', 'HISTOGRAM', 'nosuch'], ['LATENCY', 'NOPE'],
        ['MEMORY', 'USAGE', 'nokey'], ['MEMORY', 'USAGE', 'k:1', 'SAMPLES', 'x'], ['MEMORY', 'USAGE', 'k:1', 'SAMPLES', '-1'],
        ['MEMORY', 'USAGE', 'k:1', 'FOO'], ['MEMORY', 'FOO'], ['MEMORY', 'PURGE'],
        ['SHUTDOWN', 'FOO'], ['SHUTDOWN', 'SAVE', 'NOSAVE'], ['SHUTDOWN', 'ABORT', 'NOW'], ['SHUTDOWN', 'ABORT'],
        ['LASTSAVE', 'x'], ['TIME', 'x'], ['MONITOR', 'x'],
      ], resp);
    });
  }
});
