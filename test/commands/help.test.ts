// HELP listings are our own prose, so they are not compared with Redis's; their framing is:
// a header naming the container, the subcommand lines, then HELP's own entry, all simple strings.

import { describe, expect, it } from 'vitest';
import { withServer } from '../helpers/server.js';

describe('container HELP listings', () => {
  const server = withServer({ 'enable-debug-command': 'yes' });

  for (const container of ['CLIENT', 'COMMAND', 'CONFIG', 'DEBUG', 'FUNCTION', 'LATENCY', 'MEMORY', 'OBJECT', 'PUBSUB', 'SLOWLOG']) {
    it(`${container} HELP lists its subcommands in Redis's framing`, async () => {
      const lines = await server.r2.call(container, 'HELP') as string[];
      expect(lines[0]).toBe(`${container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
      expect(lines.at(-2)).toBe('HELP');
      expect(lines.at(-1)).toBe('    Prints this help.');
      // Every subcommand the table registers is described.
      const described = lines.filter((l) => !l.startsWith(' ')).map((l) => l.split(' ')[0].toLowerCase());
      const registered = [...(server.running.server.commands.get(container.toLowerCase())?.subcommands?.keys() ?? [])];
      for (const sub of registered) expect(described, `${container} ${sub}`).toContain(sub);
    });
  }
});
