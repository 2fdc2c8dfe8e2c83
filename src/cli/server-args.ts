// redis-server's command line: `[config-file] [-] [--directive value ...] [-]`, where a directive
// takes every following argument up to the next one starting with "--", and a lone "-" as the
// first argument or the last one means "also read config text from standard input".

export interface ServerArgs {
  configFile?: string;
  /** A lone "-" asked for config text on stdin (read after the file, before the directives). */
  configFromStdin: boolean;
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
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '-' && (i === 0 || i === args.length - 1)) {
      out.configFromStdin = true;
    } else if (a.startsWith('--') && a.length > 2) {
      current = [a.slice(2), []];
      out.directives.push(current);
    } else if (current !== null) {
      current[1].push(a);
    } else {
      // Redis treats stray words as part of a directive line; without one it is an error later.
      current = [a, []];
      out.directives.push(current);
    }
  }
  return out;
}
