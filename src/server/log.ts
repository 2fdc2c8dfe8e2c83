// Logging through pino, rendered by default in Redis's own line format
// ("pid:role dd Mon yyyy hh:mm:ss.mmm <level-char> message") so tools and tests that wait for
// Redis log lines work; JSON lines on request (CINNABAR_LOG_FORMAT=json).

import { openSync, writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export type RedisLogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

/** Redis's level names mapped onto pino's numeric levels. */
const PINO_LEVEL: Record<RedisLogLevel, string> = {
  debug: 'debug',
  verbose: 'verbose',
  notice: 'info',
  warning: 'warn',
};
const CUSTOM_LEVELS = { verbose: 25 };
const LEVEL_CHAR: Record<number, string> = { 20: '.', 25: '-', 30: '*', 40: '#', 50: '#', 60: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function redisTimestamp(date: Date): string {
  return `${pad(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export interface LogOptions {
  /** '' for standard output, else a file path to append to. */
  logfile: string;
  level: RedisLogLevel;
  format: 'redis' | 'json';
  /** 'M' master, 'S' replica, 'X' sentinel, 'C' child. */
  roleChar: () => string;
}

/** The server's logger: Redis-named levels over a pino instance. */
export class ServerLog {
  private readonly logger: Logger<'verbose'>;

  private readonly fd: number;

  constructor(private readonly options: LogOptions) {
    const fd = options.logfile === '' ? 1 : openSync(options.logfile, 'a');
    this.fd = fd;
    const destination = options.format === 'json'
      ? { write: (line: string) => { writeSync(fd, line); } }
      : { write: (line: string) => { writeSync(fd, this.render(line)); } };
    this.logger = pino<'verbose'>({
      level: PINO_LEVEL[options.level],
      customLevels: CUSTOM_LEVELS,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.epochTime,
    }, destination);
  }

  /** Turns a pino JSON line into Redis's line format. */
  private render(jsonLine: string): string {
    const entry = JSON.parse(jsonLine) as { level: number; time: number; msg: string; pid: number };
    const char = LEVEL_CHAR[entry.level] ?? '*';
    return `${entry.pid}:${this.options.roleChar()} ${redisTimestamp(new Date(entry.time))} ${char} ${entry.msg}\n`;
  }

  setLevel(level: RedisLogLevel): void {
    this.logger.level = PINO_LEVEL[level];
  }

  debug(message: string): void {
    this.logger.debug(message);
  }

  verbose(message: string): void {
    this.logger.verbose(message);
  }

  notice(message: string): void {
    this.logger.info(message);
  }

  warning(message: string): void {
    this.logger.warn(message);
  }

  /** Text logged as it is, without the line prefix (Redis's LL_RAW: the start-up banner). */
  noticeRaw(text: string): void {
    this.raw('notice', text);
  }

  /** Raw text at warning level (LL_WARNING|LL_RAW: a crash report's sections). */
  warningRaw(text: string): void {
    this.raw('warning', text);
  }

  private raw(level: RedisLogLevel, text: string): void {
    const pinoLevel = PINO_LEVEL[level];
    if (!this.logger.isLevelEnabled(pinoLevel)) return;
    if (this.options.format === 'json') this.logger[level === 'warning' ? 'warn' : 'info'](text);
    else writeSync(this.fd, text);
  }

  /** Writes a raw line without level or prefix (e.g. the fatal config banner goes to stderr instead). */
  isEnabled(level: RedisLogLevel): boolean {
    return this.logger.isLevelEnabled(PINO_LEVEL[level]);
  }
}
