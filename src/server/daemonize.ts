// `daemonize yes` without fork(): the process starts a copy of itself in a new session
// (child_process.spawn with detached: true calls setsid()), its standard streams on /dev/null,
// and an IPC channel to report readiness. The parent exits 0 once the copy is listening, or 1
// with the copy's error if it fails first, so an init script learns whether the server came up
// (Redis's parent exits at once, before knowing). The copy recognises itself by an environment
// marker and receives, over the channel, the config text the parent read from stdin.

import { spawn } from 'node:child_process';

const DAEMON_ENV = 'CINNABAR_DAEMON_CHILD';

type ParentMessage = { type: 'config'; stdinText: string | null };
type ChildMessage = { type: 'ready'; pid: number } | { type: 'failed'; message: string };

/** True in the detached copy started by daemonize(). */
export function isDaemonChild(): boolean {
  return process.env[DAEMON_ENV] === '1' && typeof process.send === 'function';
}

/**
 * Starts the detached copy of this server (same Node flags, script and arguments) and waits for
 * it to be ready. Resolves to the exit code the parent should use.
 */
export function daemonize(script: string, args: readonly string[], stdinText: string | null): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
      detached: true,
      // 'ignore' opens /dev/null, as Redis's daemonize() points stdin, stdout and stderr there.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, [DAEMON_ENV]: '1' },
    });
    let settled = false;
    const finish = (code: number): void => {
      if (settled) return;
      settled = true;
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on('message', (raw: unknown) => {
      const message = raw as ChildMessage;
      if (message.type === 'ready') {
        finish(0);
      } else if (message.type === 'failed') {
        process.stderr.write(message.message.endsWith('\n') ? message.message : message.message + '\n');
        finish(1);
      }
    });
    child.on('error', (err) => {
      process.stderr.write(`Can't start the daemon process: ${err.message}\n`);
      finish(1);
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      process.stderr.write(`The daemon process exited (${signal ?? `status ${String(code)}`}) before it was ready.\n`);
      finish(1);
    });
    const hello: ParentMessage = { type: 'config', stdinText };
    child.send(hello);
  });
}

/** In the copy: waits for the parent's config message (the stdin text it read, if any). */
export function receiveDaemonConfig(): Promise<{ stdinText: string | null }> {
  // The marker must not leak into processes this server starts (port probes, systemd-notify).
  delete process.env[DAEMON_ENV];
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown): void => {
      const message = raw as ParentMessage;
      if (message.type !== 'config') return;
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve({ stdinText: message.stdinText });
    };
    const onDisconnect = (): void => reject(new Error('the parent process went away before sending the configuration'));
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
  });
}

/** In the copy: tells the parent it is ready (or failed), then closes the channel. */
export function reportToParent(outcome: { ready: true } | { ready: false; message: string }): Promise<void> {
  return new Promise((resolve) => {
    if (typeof process.send !== 'function' || !process.connected) {
      resolve();
      return;
    }
    const message: ChildMessage = outcome.ready ? { type: 'ready', pid: process.pid } : { type: 'failed', message: outcome.message };
    // A send error means the parent is gone (killed while waiting): nobody is left to tell, and
    // the daemon runs on regardless, so the error is deliberately not acted upon.
    process.send(message, undefined, {}, () => {
      if (process.connected) process.disconnect();
      resolve();
    });
  });
}
