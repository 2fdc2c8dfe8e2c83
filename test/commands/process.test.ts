// cinnabar-server as a process, as init systems and operators run redis-server: Debian's stock
// redis.conf and systemd unit command line, daemonize, supervised systemd, signals, the
// open-files limit, start-up failures, config from stdin.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../helpers/net.js';
import { Proc, alive, haveProgram, listeningPorts, run, runCli, until, CLI, UMBRELLA_CLI } from '../helpers/process.js';
import { redisServerPath } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';

const STOCK_CONF = '/etc/redis/redis.conf';
const FAKE_NOTIFY = fileURLToPath(new URL('../fixtures/fake-notify-socket.py', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'cinnabar-process-'));
const procs: Proc[] = [];
const daemons: number[] = [];
const conns: RawConnection[] = [];

function track(p: Proc): Proc {
  procs.push(p);
  return p;
}

afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const p of procs.splice(0)) await p.kill();
  for (const pid of daemons.splice(0)) {
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL');
      await until(() => !alive(pid), 5000, `daemon ${pid} to die`);
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function connect(port: number): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  conns.push(c);
  return c;
}

/** Strips "pid:role date time level " from Redis log lines, keeping the messages. */
function messages(log: string): string[] {
  return log.split('\n').map((l) => l.replace(/^\d+:[CMSX] \d\d \w{3} \d{4} [\d:.]+ . /, '')).filter((l) => l !== '');
}

/** A fake $NOTIFY_SOCKET receiver (python3); resolves once it listens. */
async function fakeNotifySocket(path: string): Promise<Proc> {
  const receiver = track(run('python3', [FAKE_NOTIFY, path, '30']));
  await receiver.waitFor(/"listening"/);
  return receiver;
}

function notifications(receiver: Proc): Array<{ pid: number | null; message: string }> {
  return receiver.stdout.split('\n').filter((l) => l.includes('"message"'))
    .map((l) => JSON.parse(l) as { pid: number | null; message: string })
    .filter((n) => n.message !== 'BARRIER=1');
}

const canNotify = haveProgram('python3') && haveProgram('systemd-notify');

/** This environment without a supervisor's variables (in case the tests run under one). */
function withoutSupervisor(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NOTIFY_SOCKET;
  delete env.UPSTART_JOB;
  return env;
}

describe("Debian's redis.conf and systemd unit command line", () => {
  let readable = false;
  try {
    accessSync(STOCK_CONF, constants.R_OK);
    readable = true;
  } catch (err) {
    process.stdout.write(`[cinnabar] ${STOCK_CONF} is not readable here (${(err as Error).message}): the stock-config test is skipped; apt-get install redis-server brings it.\n`);
  }

  it.skipIf(!readable)('starts and serves with the stock file, --supervised systemd --daemonize no', async () => {
    const conf = join(dir, 'redis.conf');
    copyFileSync(STOCK_CONF, conf);
    const port = await freePort();
    const logfile = join(dir, 'stock.log');
    const pidfile = join(dir, 'stock.pid');
    // Exactly the unit's arguments, then what keeps the test off the system's port and paths.
    const p = track(runCli([conf, '--supervised', 'systemd', '--daemonize', 'no',
      '--port', String(port), '--logfile', logfile, '--pidfile', pidfile, '--dir', dir], { env: withoutSupervisor() }));
    await waitForPort(port, 10_000);
    const c = await connect(port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('CONFIG', 'GET', 'daemonize')).toBe('*2\r\n$9\r\ndaemonize\r\n$2\r\nno\r\n');
    expect(await c.call('CONFIG', 'GET', 'supervised')).toBe('*2\r\n$10\r\nsupervised\r\n$7\r\nsystemd\r\n');
    expect(readFileSync(pidfile, 'utf8')).toBe(`${p.pid}\n`);
    await until(() => readFileSync(logfile, 'utf8').includes('Ready to accept connections'), 5000, 'the ready line');
    // No $NOTIFY_SOCKET here: Redis warns and runs unsupervised.
    expect(messages(readFileSync(logfile, 'utf8'))).toContain('systemd supervision error: NOTIFY_SOCKET not found!');
    p.child.kill('SIGTERM');
    expect(await p.waitExit()).toEqual({ code: 0, signal: null });
    expect(existsSync(pidfile)).toBe(false);
    // Redis's default save points are in force (the stock file has none): a final save.
    expect(messages(readFileSync(logfile, 'utf8')).slice(-6)).toEqual([
      'Received SIGTERM scheduling shutdown...',
      'User requested shutdown...',
      'Saving the final RDB snapshot before exiting.',
      'DB saved on disk',
      'Removing the pid file.',
      'Redis is now ready to exit, bye bye...',
    ]);
  });
});

describe('supervised systemd', () => {
  it.skipIf(!canNotify)('sends STATUS, READY=1 and STOPPING=1 to $NOTIFY_SOCKET, as the server process', async () => {
    const socketPath = join(dir, 'notify.sock');
    const receiver = await fakeNotifySocket(socketPath);
    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1', '--supervised', 'auto'],
      { env: { ...process.env, NOTIFY_SOCKET: socketPath } }));
    await p.waitFor(/Ready to accept connections/);
    await until(() => notifications(receiver).some((n) => n.message === 'READY=1'), 10_000, 'READY=1');
    expect(p.output).toContain('Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.');
    p.child.kill('SIGTERM');
    expect(await p.waitExit()).toEqual({ code: 0, signal: null });
    await until(() => notifications(receiver).some((n) => n.message === 'STOPPING=1'), 10_000, 'STOPPING=1');
    const seen = notifications(receiver);
    expect(seen.map((n) => n.message)).toEqual([
      'STATUS=Redis is loading...',
      'STATUS=Ready to accept connections',
      'READY=1',
      'STOPPING=1',
    ]);
    // systemd accepts a Type=notify service's messages from its main pid: the server's own.
    if (process.getuid?.() === 0) for (const n of seen) expect(n.pid).toBe(p.pid);
  });

  it('refuses to start, in one line, when $NOTIFY_SOCKET is set but systemd-notify is missing', async () => {
    const emptyPath = mkdtempSync(join(dir, 'path-'));
    const p = track(runCli(['--port', String(await freePort()), '--supervised', 'systemd'],
      { env: { ...process.env, PATH: emptyPath, NOTIFY_SOCKET: join(dir, 'nobody.sock') } }));
    expect(await p.waitExit()).toEqual({ code: 1, signal: null });
    expect(p.stderr).toBe('systemd supervision requested, but the systemd-notify program was not found: install systemd\'s systemd-notify, or start with supervised no\n');
  });
});

describe('supervised upstart', () => {
  it('stops itself to signal readiness (upstart\'s "expect stop"), and goes on once continued', async () => {
    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1', '--supervised', 'upstart'],
      { env: { ...process.env, UPSTART_JOB: 'cinnabar-test' } }));
    await p.waitFor(/supervised by upstart, will stop to signal readiness\./);
    const state = (): string => {
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    };
    await until(() => state() === 'T', 5000, 'the process to stop itself');
    process.kill(p.pid, 'SIGCONT');
    await p.waitFor(/Ready to accept connections/);
    const c = await connect(port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });
});

describe('daemonize yes', () => {
  it('detaches: the parent exits 0 once the daemon serves; its own session, stdio on /dev/null, pid file', async () => {
    const port = await freePort();
    const pidfile = join(dir, 'daemon.pid');
    const logfile = join(dir, 'daemon.log');
    // The configuration comes on stdin, so the daemon must get it from its parent.
    const parent = track(runCli(['-'], {
      stdin: `daemonize yes\nport ${port}\nbind 127.0.0.1\npidfile ${pidfile}\nlogfile ${logfile}\n`,
    }));
    expect(await parent.waitExit()).toEqual({ code: 0, signal: null });
    const pid = Number(readFileSync(pidfile, 'utf8'));
    daemons.push(pid);
    expect(pid).not.toBe(parent.pid);
    expect(alive(pid)).toBe(true);
    // Field 6 of /proc/<pid>/stat is the session id: a session leader's own pid after setsid().
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3])).toBe(pid);
    for (const fd of [0, 1, 2]) expect(readlinkSync(`/proc/${pid}/fd/${fd}`)).toBe('/dev/null');
    const c = await connect(port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(readFileSync(logfile, 'utf8')).toContain('Ready to accept connections');
    c.send('SHUTDOWN', 'NOSAVE');
    await c.waitClosed();
    await until(() => !alive(pid), 10_000, 'the daemon to exit');
    expect(existsSync(pidfile)).toBe(false);
    expect(messages(readFileSync(logfile, 'utf8'))).toContain('Removing the pid file.');
  });

  it('the parent exits 1 with the reason when the daemon cannot start', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const parent = track(runCli(['--daemonize', 'yes', '--port', String(port), '--bind', '127.0.0.1', '--pidfile', join(dir, 'failed.pid')]));
      expect(await parent.waitExit()).toEqual({ code: 1, signal: null });
      expect(parent.stderr).toContain(`Failed listening on port ${port} (TCP), aborting.`);
      expect(existsSync(join(dir, 'failed.pid'))).toBe(false);
    } finally {
      blocker.close();
    }
  });
});

describe('signals', () => {
  it('SIGHUP does not stop the server', async () => {
    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1']));
    await p.waitFor(/Ready to accept connections/);
    p.child.kill('SIGHUP');
    const c = await connect(port);
    // A round trip after the signal: had SIGHUP ended the process, this would fail.
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(alive(p.pid)).toBe(true);
    expect(p.exit).toBeNull();
  });

  it('SIGUSR1 never opens the Node.js inspector', async () => {
    // Control: a plain Node process does open its inspector on SIGUSR1. --inspect-port=0 makes
    // any inspector take a port of its own, so nothing here touches 127.0.0.1:9229.
    const control = track(run(process.execPath, ['--inspect-port=0', '-e', 'setInterval(() => {}, 1000)']));
    await until(() => alive(control.pid) && existsSync(`/proc/${control.pid}/fd`), 5000, 'the control process');
    // Signalled until it listens: the first signal may land before Node installs its handler.
    const opened = control.waitFor(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//, 10_000);
    const nudge = setInterval(() => control.child.kill('SIGUSR1'), 200);
    try {
      const m = await opened;
      expect(listeningPorts(control.pid)).toContain(Number(m[1]));
    } finally {
      clearInterval(nudge);
    }

    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1'], { nodeArgs: ['--inspect-port=0'] }));
    await p.waitFor(/Ready to accept connections/);
    expect(listeningPorts(p.pid)).toEqual([port]);
    p.child.kill('SIGUSR1');
    // The server's own handler ran (it replaces Node's inspector trigger, so that one cannot have).
    await p.waitFor(/Received SIGUSR1: ignored/);
    const c = await connect(port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(p.output).not.toContain('Debugger listening');
    expect(listeningPorts(p.pid)).toEqual([port]);
  });

  it('SHUTDOWN stops listening before it closes the connections: a client that sees its own close is refused on reconnecting', async () => {
    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1']));
    await p.waitFor(/Ready to accept connections/);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('SHUTDOWN NOSAVE\r\n');
    await closed;
    // Redis's own test (unit/scripting "SHUTDOWN NOSAVE can kill a timedout script anyway")
    // expects "connection refused" here, at once.
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const again = net.connect(port, '127.0.0.1');
      again.once('connect', () => { again.destroy(); resolve(null); });
      again.once('error', (err) => resolve(err));
    });
    expect(error?.code).toBe('ECONNREFUSED');
    expect(await p.waitExit()).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM shuts down with Redis\'s log lines and exit status 0', async () => {
    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1']));
    await p.waitFor(/Ready to accept connections/);
    p.child.kill('SIGTERM');
    expect(await p.waitExit()).toEqual({ code: 0, signal: null });
    expect(messages(p.stdout).slice(-5)).toEqual([
      'Received SIGTERM scheduling shutdown...',
      'User requested shutdown...',
      'Saving the final RDB snapshot before exiting.',
      'DB saved on disk',
      'Redis is now ready to exit, bye bye...',
    ]);
    // Started with arguments: redis-server then says "Configuration loaded", not "no config file".
    expect(messages(p.stdout)).toContain('Configuration loaded');
  });

  /** A server started without core dumps (the crash tests end it by a fatal signal on purpose). */
  function startWithoutCore(port: number, extra: readonly string[] = []): Proc {
    const args = [CLI, '--port', String(port), '--bind', '127.0.0.1', '--enable-debug-command', 'yes', ...extra];
    return track(run('sh', ['-c', 'ulimit -c 0; exec "$@"', 'sh', process.execPath, ...args]));
  }

  it('SIGABRT logs Redis\'s bug report, then the process dies by the signal', async () => {
    const port = await freePort();
    const p = startWithoutCore(port);
    await p.waitFor(/Ready to accept connections/);
    const c = await connect(port);
    expect(await c.call('CLIENT', 'SETNAME', 'watcher')).toBe('+OK\r\n');
    p.child.kill('SIGABRT');
    expect(await p.waitExit()).toEqual({ code: null, signal: 'SIGABRT' });
    const log = p.stdout;
    expect(log).toMatch(/=== REDIS BUG REPORT START: Cut & paste starting from here ===\n\d+:M .* # Redis 7\.0\.15 crashed by signal: 6, si_code: 0\n/);
    expect(log).toContain('\n------ INFO OUTPUT ------\n# Server\r\nredis_version:7.0.15\r\n');
    expect(log).toMatch(/\n------ CLIENT LIST OUTPUT ------\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=watcher /);
    expect(log).toContain('\n------ CONFIG DEBUG OUTPUT ------\nio-threads-do-reads no\n');
    expect(log).toContain('\nproto-max-bulk-len 512mb\nclient-query-buffer-limit 1gb\n');
    expect(log).toContain('\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n');
    // No client sent it: no current client section, no sender.
    expect(log).not.toContain('CURRENT CLIENT INFO');
    expect(log).not.toContain('Killed by PID');
  });

  it('DEBUG SEGFAULT crashes the server by SIGSEGV, the report naming the client and its command', async () => {
    const port = await freePort();
    const p = startWithoutCore(port);
    await p.waitFor(/Ready to accept connections/);
    const c = await connect(port);
    c.send('DEBUG', 'SEGFAULT');
    expect(await p.waitExit()).toEqual({ code: null, signal: 'SIGSEGV' });
    const log = p.stdout;
    expect(log).toContain(`# Redis 7.0.15 crashed by signal: 11, si_code: 0\n`);
    expect(log).toMatch(new RegExp(`# Killed by PID: ${p.pid}, UID: \\d+\\n`));
    expect(log).toMatch(/\n------ CURRENT CLIENT INFO ------\nid=\d+ .* cmd=debug .*\nargv\[0\]: '"DEBUG"'\nargv\[1\]: '"SEGFAULT"'\n/);
    expect(log).toContain('=== REDIS BUG REPORT END.');
  });

  it('with crash-log-enabled no the signal ends the process without a report', async () => {
    const port = await freePort();
    const p = startWithoutCore(port, ['--crash-log-enabled', 'no']);
    await p.waitFor(/Ready to accept connections/);
    p.child.kill('SIGABRT');
    expect(await p.waitExit()).toEqual({ code: null, signal: 'SIGABRT' });
    expect(p.stdout).not.toContain('BUG REPORT');
  });

  it('the umbrella `cinnabar server` passes SIGTERM on to the server', async () => {
    const port = await freePort();
    const umbrella = track(run(process.execPath, [UMBRELLA_CLI, 'server', '--port', String(port), '--bind', '127.0.0.1']));
    await umbrella.waitFor(/Ready to accept connections/);
    umbrella.child.kill('SIGTERM');
    expect(await umbrella.waitExit()).toEqual({ code: 0, signal: null });
    expect(messages(umbrella.stdout)).toContain('Redis is now ready to exit, bye bye...');
    await expect(RawConnection.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('bind ""', () => {
  it('CONFIG SET bind "" stops listening (connected clients stay), a new bind listens again', async () => {
    const port = await freePort();
    const p = track(runCli(['--port', String(port), '--bind', '127.0.0.1']));
    await p.waitFor(/Ready to accept connections/);
    const c = await connect(port);
    expect(await c.call('CONFIG', 'SET', 'bind', '')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'GET', 'bind')).toBe('*2\r\n$4\r\nbind\r\n$0\r\n\r\n');
    await expect(RawConnection.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    // Connecting the moment the OK arrives: the OK waits until the new socket listens, as
    // Redis's does (Redis's unit/networking reconnects at once).
    for (let round = 0; round < 20; round++) {
      expect(await c.call('CONFIG', 'SET', 'bind', '')).toBe('+OK\r\n');
      expect(await c.call('CONFIG', 'SET', 'bind', '127.0.0.1')).toBe('+OK\r\n');
      const again = await connect(port);
      expect(await again.call('PING')).toBe('+PONG\r\n');
      again.close();
    }
  });

  it('at start-up without a Unix socket: Redis\'s "not listen anywhere" line and exit status 1', async () => {
    const p = track(runCli(['--port', String(await freePort()), '--bind', '']));
    expect(await p.waitExit()).toEqual({ code: 1, signal: null });
    expect(messages(p.stdout)).toContain('Configured to not listen anywhere, exiting.');
  });
});

describe('open files limit (ulimit -n 256)', () => {
  it('lowers maxclients to the limit less 32, as Redis logs it, and refuses clients past it with an error', async () => {
    const port = await freePort();
    const p = track(run('bash', ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, CLI, '--port', String(port), '--bind', '127.0.0.1']));
    await p.waitFor(/Ready to accept connections/);
    const lines = messages(p.stdout);
    const warnings = [
      'You requested maxclients of 10000 requiring at least 10032 max file descriptors.',
      "Server can't set maximum open files to 10032 because of OS error: Operation not permitted.",
      "Current maximum open files is 256. maxclients has been reduced to 224 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
    ];
    const at = lines.indexOf(warnings[0]);
    expect(lines.slice(at, at + 3)).toEqual(warnings);
    const first = await connect(port);
    expect(await first.call('CONFIG', 'GET', 'maxclients')).toBe('*2\r\n$10\r\nmaxclients\r\n$3\r\n224\r\n');
    for (let i = 1; i < 224; i++) await connect(port);
    expect(await conns[conns.length - 1].call('PING')).toBe('+PONG\r\n');
    const refused = await connect(port);
    await refused.waitClosed();
    expect(refused.pending).toBe('-ERR max number of clients reached\r\n');
    // Raising it past the limit is refused as Redis refuses it.
    expect(await first.call('CONFIG', 'SET', 'maxclients', '300')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 224\r\n");
    expect(await first.call('CONFIG', 'GET', 'maxclients')).toBe('*2\r\n$10\r\nmaxclients\r\n$3\r\n224\r\n');
  });

  it.skipIf(redisServerPath() === null)('logs what redis-server logs under the same limit', async () => {
    const port = await freePort();
    const script = 'ulimit -n 256 && exec "$0" "$@"';
    const redis = track(run('bash', ['-c', script, redisServerPath() as string, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir]));
    await redis.waitFor(/Ready to accept connections/);
    const ours = track(run('bash', ['-c', script, process.execPath, CLI, '--port', String(await freePort()), '--bind', '127.0.0.1']));
    await ours.waitFor(/Ready to accept connections/);
    const limitLines = (out: string): string[] => messages(out).filter((l) => /maxclients|open files/.test(l));
    expect(limitLines(ours.stdout)).toEqual(limitLines(redis.stdout));
  });
});

describe('start-up failures: one line (or Redis\'s banner), exit status 1, no stack trace', () => {
  it('an unwritable log file', async () => {
    const args = ['--port', String(await freePort()), '--logfile', join(dir, 'no-such-dir', 'x.log')];
    const p = track(runCli(args));
    expect(await p.waitExit()).toEqual({ code: 1, signal: null });
    expect(p.stderr).toBe("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n");
    const reference = redisServerPath();
    if (reference !== null) expect(spawnSync(reference, args, { encoding: 'utf8' }).stderr).toBe(p.stderr);
  });

  it('a port in use, for a given address and for the wildcard', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      for (const [bind, label] of [['127.0.0.1', '127.0.0.1'], ['* -::*', '*']]) {
        const p = track(runCli(['--port', String(port), '--bind', ...bind.split(' ')]));
        expect(await p.waitExit()).toEqual({ code: 1, signal: null });
        expect(messages(p.stdout).slice(-2)).toEqual([
          `Warning: Could not create server TCP listening socket ${label}:${port}: bind: Address already in use`,
          `Failed listening on port ${port} (TCP), aborting.`,
        ]);
        expect(p.output).not.toMatch(/\n\s+at /);
      }
    } finally {
      blocker.close();
    }
  });
});

describe('config from stdin', () => {
  it('`cinnabar-server file.conf ... -`: the file, then stdin, then the flags', async () => {
    const port = await freePort();
    const conf = join(dir, 'stdin-base.conf');
    writeFileSync(conf, 'port 1\nmaxmemory-samples 3\nhz 11\n');
    const p = track(runCli([conf, '--maxmemory-samples', '9', '-'], {
      stdin: `port ${port}\nbind 127.0.0.1\nmaxmemory-samples 7\n`,
    }));
    await p.waitFor(/Ready to accept connections/);
    expect(messages(p.stdout)[0]).toBe('Reading config from stdin');
    const c = await connect(port);
    expect(await c.call('CONFIG', 'GET', 'maxmemory-samples')).toBe('*2\r\n$17\r\nmaxmemory-samples\r\n$1\r\n9\r\n');
    expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n11\r\n');
  });

  it('`cinnabar-server -` alone', async () => {
    const port = await freePort();
    const p = track(runCli(['-'], { stdin: `port ${port}\nbind 127.0.0.1\n` }));
    await p.waitFor(/Ready to accept connections/);
    const c = await connect(port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });
});
