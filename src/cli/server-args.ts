// redis-server's command line: `[config-file] [-] [--directive value ...] [-]`, read as Redis
// 7.0.15's main() reads it. Each "--name" starts a directive line and the arguments after it are
// its values, quoted as the config file would quote them. Once a directive has a value, the next
// argument starting with "--" starts the next directive; while it has none, such an argument is
// its value (`--port --loglevel verbose` gives port the values "--loglevel" and "verbose"). An
// argument holding the name and its value together ("--maxmemory 700mb") is taken as it is. A
// lone "-" as the first argument or the last one means "also read config text from stdin".

import { splitInlineArgs } from '../util/split-args.js';

export interface ServerArgs {
  configFile?: string;
  /** A lone "-" asked for config text on stdin (read after the file, before the directives). */
  configFromStdin: boolean;
  /**
   * Each directive's text after "--" (the name, or the name and values given in one argument)
   * and the values that followed it as separate arguments.
   */
  directives: Array<[string, string[]]>;
}

export function parseServerArgs(args: readonly string[]): ServerArgs {
  const out: ServerArgs = { configFromStdin: false, directives: [] };
  let i = 0;
  // As in redis-server, the first argument is the config file unless it starts with "-".
  if (args.length > 0 && !args[0].startsWith('-')) {
    out.configFile = args[0];
    i = 1;
  }
  let current: [string, string[]] | null = null;
  // The directive being built has a value (Redis's handled_last_config_arg).
  let hasValue = true;
  for (; i < args.length; i++) {
    const a = args[i];
    const last = i === args.length - 1;
    if (a === '-' && (i === 0 || last)) {
      out.configFromStdin = true;
    } else if (hasValue && a.startsWith('--')) {
      current = [a.slice(2), []];
      out.directives.push(current);
      hasValue = splitInlineArgs(a)?.length !== 1;
      // A bare --save means no save points, as before 7.0.1, when another directive or nothing follows.
      if (!hasValue && a.toLowerCase() === '--save' && (last || args[i + 1].startsWith('--'))) {
        current[1].push('');
        hasValue = true;
      }
    } else {
      // Redis treats stray words as part of a directive line; without one it is an error later.
      if (current === null) {
        current = [a, []];
        out.directives.push(current);
      } else {
        current[1].push(a);
      }
      hasValue = true;
    }
  }
  return out;
}
