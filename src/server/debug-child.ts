// The process of a forked Lua debugging session (see debug-fork.ts): what Redis's child of a
// SCRIPT DEBUG YES session is. It starts a server from its parent's configuration, without
// listeners, persistence or a primary, loads the dataset image from standard input, says it is
// ready, takes the client's socket, runs the client's EVAL debugged, and exits when the client's
// connection closes. Nothing it changes reaches its parent.

import type { Socket } from 'node:net';
import { createLog, loadConfig } from './start.js';
import { Server } from './server.js';
import { loadRdbImage } from '../persistence/rdb-files.js';
import type { DebugChildClient, DebugChildReady, DebugChildSetup } from './debug-fork.js';

function readStandardInput(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.once('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.once('error', reject);
  });
}

function nextMessage<T>(): Promise<{ message: T; handle: unknown }> {
  return new Promise((resolve) => process.once('message', (message: T, handle: unknown) => resolve({ message, handle })));
}

async function main(): Promise<void> {
  // Redis's child ignores the signals its parent handles (the parent kills it with SIGKILL).
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  // Without its parent before the socket came, there is nothing to do.
  process.once('disconnect', () => {
    if (!adopted) process.exit(1);
  });
  let adopted = false;
  const [{ message: setup }, image] = await Promise.all([nextMessage<DebugChildSetup>(), readStandardInput()]);
  const config = loadConfig({
    stdinText: setup.configText,
    directives: { save: '', appendonly: 'no', 'protected-mode': 'no' },
  });
  const { log } = createLog(config);
  log.warning('Redis forked for debugging eval');
  const server = new Server(config, log);
  const aclFailure = server.acl.loadAtStartup(config.users);
  if (aclFailure !== null) throw new Error(aclFailure);
  loadRdbImage({
    config, keyspace: server.keyspace, log,
    restoreLibrary: (code) => server.scripting.functions.restoreLibrary(code, false),
  }, image);
  const clientArrives = nextMessage<DebugChildClient>();
  const ready: DebugChildReady = { kind: 'ready' };
  process.send?.(ready);
  const { message, handle } = await clientArrives;
  adopted = true;
  const connection = server.adoptForkedDebugClient(handle as Socket, setup, message.input);
  connection.whenClosed(() => {
    log.warning('Lua debugging session child exiting');
    process.exit(0);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Forked debugging session failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
