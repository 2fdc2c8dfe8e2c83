// The aclfile: one "user <name> <rules...>" line per user, read with Redis's validation and
// error texts (ACLLoadFromFile: every problem of the file is collected, and any problem leaves
// the users as they were) and written in the form ACL LIST shows.

import { readFileSync } from 'node:fs';
import { describeSystemError } from '../util/errno.js';
import { writeFileDurablySync } from '../util/durable-file.js';
import { describeUser } from './describe.js';
import { hasSpaces, type AclCommandSet } from './selector.js';
import { AclUser, applyUserRule, mergeSelectorArguments, ruleErrorText } from './user.js';

/** Users read from a file, by name, in file order; or the one-line description of its errors. */
export type AclFileResult = { users: Map<string, AclUser> } | { errors: string };

const NO_CHANGE = 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';

/** Redis's sdstrim(s, " \t\r\n"). */
function trimLine(line: string): string {
  return line.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** Reads and validates the file `path` (named `shownName` in errors, as configured). */
export function readAclFile(path: string, shownName: string, commands: AclCommandSet): AclFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    return { errors: `Error loading ACLs, opening file '${shownName}': ${describeSystemError(err)}` };
  }
  return parseAclText(text, shownName, commands);
}

export function parseAclText(text: string, shownName: string, commands: AclCommandSet): AclFileResult {
  const users = new Map<string, AclUser>();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = trimLine(lines[i]);
    if (line === '') continue;
    // sdssplitlen on single spaces: two spaces in a row give an empty rule, which changes nothing.
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${shownName}:${lineNumber} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1];
    if (hasSpaces(name)) {
      errors += `'${shownName}:${lineNumber}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${lineNumber}. `;
      continue;
    }
    const u = new AclUser(name, commands);
    users.set(name, u);
    const merged = mergeSelectorArguments(argv.slice(2));
    if ('unmatchedAt' in merged) {
      errors += `${shownName}:${lineNumber}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let syntaxError = false;
    for (const raw of merged.merged) {
      const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
      const error = applyUserRule(u, op, commands);
      if (error === null) continue;
      if (error === 'ENOENT') {
        errors += `${shownName}:${lineNumber}: Error in applying operation '${op}': ${ruleErrorText(error)}. `;
      } else if (!syntaxError) {
        // Only the first other error: it may explain the ones after it.
        errors += `${shownName}:${lineNumber}: ${ruleErrorText(error)}. `;
        syntaxError = true;
      }
    }
  }
  if (errors !== '') return { errors: errors + NO_CHANGE };
  return { users };
}

/** The "user <name> <rules>" line of a user, as ACL LIST, ACL SAVE and CONFIG REWRITE write it. */
export function userLine(u: AclUser, commands: AclCommandSet): string {
  return `user ${u.name} ${describeUser(u, commands)}`;
}

/**
 * Writes every user to `path` durably (temporary file, fsync, rename, fsync of the directory).
 * Returns null, or the reason for the log.
 */
export function writeAclFile(path: string, users: Iterable<AclUser>, commands: AclCommandSet): string | null {
  let text = '';
  for (const u of users) text += userLine(u, commands) + '\n';
  try {
    writeFileDurablySync(path, text, { encoding: 'latin1' });
    return null;
  } catch (err) {
    return describeSystemError(err);
  }
}
