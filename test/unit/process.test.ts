// The pure parts of start-up: redis-server's argument rules, the open-files arithmetic,
// errno texts.

import { describe, expect, it } from 'vitest';
import { failureText } from '../../src/cli/server-main.js';
import { parseServerArgs } from '../../src/cli/server-args.js';
import { StartupError } from '../../src/server/start.js';
import { fitMaxClients, parseOpenFilesLimit } from '../../src/server/process-limits.js';
import { strerror } from '../../src/util/errno.js';

describe('parseServerArgs', () => {
  it('"-" first or last reads stdin; the first argument is a file unless it starts with "-"', () => {
    expect(parseServerArgs(['-'])).toEqual({ configFromStdin: true, directives: [] });
    expect(parseServerArgs(['a.conf', '-'])).toEqual({ configFile: 'a.conf', configFromStdin: true, directives: [] });
    expect(parseServerArgs(['a.conf', '--port', '7', '-'])).toEqual({ configFile: 'a.conf', configFromStdin: true, directives: [['port', ['7']]] });
    expect(parseServerArgs(['-', '--port', '7'])).toEqual({ configFromStdin: true, directives: [['port', ['7']]] });
    expect(parseServerArgs(['a.conf', '--save', '900', '1', '60', '100'])).toEqual({
      configFile: 'a.conf', configFromStdin: false, directives: [['save', ['900', '1', '60', '100']]],
    });
  });

  it('reads directives as Redis 7.0.15 does: a directive without a value takes the next "--" argument as one', () => {
    const directives = (args: string[]): Array<[string, string[]]> => parseServerArgs(args).directives;
    expect(directives(['--port'])).toEqual([['port', []]]);
    expect(directives(['--port', '6379', '6380'])).toEqual([['port', ['6379', '6380']]]);
    expect(directives(['--port', '--loglevel', 'verbose'])).toEqual([['port', ['--loglevel', 'verbose']]]);
    expect(directives(['--port', '--bla', '--loglevel', 'verbose'])).toEqual([['port', ['--bla']], ['loglevel', ['verbose']]]);
    expect(directives(['--logfile', '--my--log--file', '--loglevel', '--bla'])).toEqual([['logfile', ['--my--log--file']], ['loglevel', ['--bla']]]);
    // Name and value in one argument; the next "--" argument then starts a directive.
    expect(directives(['--maxmemory 700mb', '--maxmemory-policy volatile-lru'])).toEqual([['maxmemory 700mb', []], ['maxmemory-policy volatile-lru', []]]);
    // A bare --save still means "no save points" before another directive or at the end.
    expect(directives(['--save', '--port', '7'])).toEqual([['save', ['']], ['port', ['7']]]);
    expect(directives(['--port', '7', '--save'])).toEqual([['port', ['7']], ['save', ['']]]);
  });
});

describe('open files limit', () => {
  it('reads the soft and hard limits from /proc/<pid>/limits', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max processes             unlimited            unlimited            processes \n' +
      'Max open files            256                  4096                 files     \n';
    expect(parseOpenFilesLimit(text)).toEqual({ soft: 256, hard: 4096 });
    expect(parseOpenFilesLimit('Max open files unlimited unlimited files')).toEqual({ soft: Infinity, hard: Infinity });
    expect(parseOpenFilesLimit('nothing')).toBeNull();
  });

  it('fits maxclients as Redis does', () => {
    expect(fitMaxClients(10000, { soft: 20000, hard: 20000 })).toEqual({ maxclients: 10000, warnings: [], fatal: false });
    expect(fitMaxClients(10000, { soft: 10032, hard: 10032 }).maxclients).toBe(10000);
    const low = fitMaxClients(10000, { soft: 1024, hard: 1024 });
    expect(low.maxclients).toBe(992);
    expect(low.warnings[2]).toBe("Current maximum open files is 1024. maxclients has been reduced to 992 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.");
    expect(fitMaxClients(100, { soft: 32, hard: 32 })).toEqual({
      maxclients: 100,
      warnings: ["Your current 'ulimit -n' of 32 is not enough for the server to start. Please increase your open file limit to at least 132. Exiting."],
      fatal: true,
    });
    expect(fitMaxClients(10000, { error: 'No such file or directory' })).toEqual({
      maxclients: 992,
      warnings: ['Unable to obtain the current NOFILE limit (No such file or directory), assuming 1024 and setting the max clients configuration accordingly.'],
      fatal: false,
    });
  });
});

describe('strerror', () => {
  it('gives glibc\'s texts', () => {
    expect(strerror('EADDRINUSE')).toBe('Address already in use');
    expect(strerror('EACCES')).toBe('Permission denied');
    expect(strerror('ENOTFOUND')).toBe('Name or service not known');
    expect(strerror('EWHATEVER')).toBe('EWHATEVER');
  });
});

describe('start-up failure text', () => {
  it('is Redis\'s text for known failures and one line for anything else', () => {
    expect(failureText(new StartupError('Failed listening on port 1 (TCP), aborting.', true))).toEqual({ text: 'Failed listening on port 1 (TCP), aborting.', logged: true });
    const unexpected = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(failureText(unexpected)).toEqual({ text: "Fatal error during start-up: Cannot read properties of undefined (reading 'x')", logged: false });
    expect(failureText('odd').text).toBe('Fatal error during start-up: odd');
  });
});
