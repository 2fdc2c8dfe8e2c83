// The node's ACL service (ctx.server.acl): the users, the default user (requirepass is its
// password), authentication, the permission check before each command (and for EXEC's queue and
// scripts' redis.call), the ACL LOG, the users of the config file and the aclfile.

import { randomBytes } from 'node:crypto';
import type { AclApi, AclLogView, AclSelectorInfo, AclUserInfo, ClientState } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import { categoryBit } from '../commands/acl-categories.js';
import type { Config } from '../config/config.js';
import { AclLog, reasonText, type AclLogContext } from './acl-log.js';
import { readAclFile, userLine, writeAclFile } from './acl-file.js';
import { describeCommandRules, selectorChannelsText, selectorKeysText, userFlags } from './describe.js';
import {
  ACL_OK, allowsReadingAnyKey, checkCommand, DENIED_AUTH, DENIED_CHANNEL, DENIED_COMMAND, DENIED_KEY, userChannelAllowed, type Denial,
} from './permissions.js';
import { hasSpaces, type AclCommandSet, type Selector } from './selector.js';
import { AclUser, applyUserRule, createDefaultUser, mergeSelectorArguments, ruleErrorText } from './user.js';

/** A client as the ACL service sees it (the engine's Client). */
export interface AclClient extends ClientState {
  readonly isScript: boolean;
  /** Closed at once (not the client running the current command). */
  close(reason: string): void;
}

/** What the service needs from the node. */
export interface AclHost {
  readonly config: Config;
  warning(message: string): void;
  notice(message: string): void;
  /** The connected clients. */
  clients(): Iterable<AclClient>;
}

const WRONG_NUMBER = (name: string): string => `wrong number of arguments for '${name}' command`;

/** The user a client holds: always one of this service's (AclUser implements UserRef). */
function userOf(client: ClientState): AclUser {
  const u = client.user;
  if (!(u instanceof AclUser)) throw new Error('client user is not an ACL user');
  return u;
}

export class Acl implements AclApi {
  /** By name; listings sort by name as Redis's radix tree orders them. */
  private users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  /**
   * Redis's NULL user of internal clients (the primary's link, the AOF loader): every command,
   * key and channel, in no user list; CLIENT LIST shows it as "(superuser)".
   */
  readonly superuser: AclUser;
  readonly log: AclLog;
  /** Checked against when AUTH names a user that does not exist. */
  private readonly decoy: AclUser;

  constructor(readonly commands: AclCommandSet, private readonly host: AclHost) {
    this.defaultUser = createDefaultUser(commands);
    this.users.set('default', this.defaultUser);
    this.superuser = createDefaultUser(commands, '(superuser)');
    this.log = new AclLog(() => host.config.num('acllog-max-len'));
    this.decoy = new AclUser('', commands);
    applyUserRule(this.decoy, '>' + randomBytes(32).toString('hex'), commands);
    this.setDefaultPassword(host.config.str('requirepass'));
    host.config.onChange('requirepass', (v) => this.setDefaultPassword(String(v)));
  }

  /** requirepass: the default user's only password, or nopass when empty. */
  setDefaultPassword(password: string): void {
    applyUserRule(this.defaultUser, 'resetpass', this.commands);
    applyUserRule(this.defaultUser, password === '' ? 'nopass' : '>' + password, this.commands);
  }

  /** Redis's authRequired() part that does not depend on the client: the default user needs AUTH. */
  get defaultRequiresAuth(): boolean {
    const d = this.defaultUser;
    return !d.nopass || !d.enabled;
  }

  get defaultUserNoPass(): boolean {
    return this.defaultUser.nopass;
  }

  get aclFile(): string {
    return this.host.config.str('aclfile');
  }

  getUser(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  private sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ------------------------------------------------------------- authentication

  authenticate(client: ClientState, username: string, password: string, commandName: string): boolean {
    const u = this.users.get(username);
    let ok = false;
    if (u === undefined) {
      // A missing user costs the same hashing and comparison, so timing does not tell which users exist.
      this.decoy.passwordMatches(password);
    } else {
      ok = u.enabled && (u.nopass || u.passwordMatches(password));
    }
    if (ok && u !== undefined) {
      client.authenticated = true;
      client.user = u;
      return true;
    }
    this.addLogEntry(client, DENIED_AUTH, client.inMulti ? 'multi' : 'toplevel', commandName, username);
    return false;
  }

  // ------------------------------------------------------------- permission checks

  /**
   * The check before a command runs (processCommand's): null, or the NOPERM error; denials are
   * logged. Callers skip it for users with fullAccess.
   */
  check(client: AclClient, command: Command, argv: readonly string[]): string | null {
    const result = checkCommand(userOf(client), command, argv);
    if (result.result === ACL_OK) return null;
    const denial = result.result;
    this.logDenial(client, denial, client.inMulti ? 'multi' : 'toplevel', command, argv, result.index);
    switch (denial) {
      case DENIED_COMMAND: return `NOPERM this user has no permissions to run the '${command.fullName}' command`;
      case DENIED_KEY: return 'NOPERM this user has no permissions to access one of the keys used as arguments';
      case DENIED_CHANNEL: return 'NOPERM this user has no permissions to access one of the channels used as arguments';
      default: return 'no permission';
    }
  }

  execRefusal(client: ClientState, command: Command, argv: readonly string[]): string | null {
    const u = userOf(client);
    if (u.fullAccess) return null;
    const result = checkCommand(u, command, argv);
    if (result.result === ACL_OK) return null;
    const denial = result.result;
    this.logDenial(client, denial, 'multi', command, argv, result.index);
    let reason: string;
    switch (denial) {
      case DENIED_COMMAND: reason = 'no permission to execute the command or subcommand'; break;
      case DENIED_KEY: reason = 'no permission to touch the specified keys'; break;
      case DENIED_CHANNEL: reason = 'no permission to access one of the channels used as arguments'; break;
      default: reason = 'no permission';
    }
    return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
  }

  /** scriptCall's check for redis.call(): null, or the error text (without "ERR "). */
  scriptRefusal(caller: ClientState, command: Command, argv: readonly string[]): string | null {
    const u = userOf(caller);
    if (u.fullAccess) return null;
    const result = checkCommand(u, command, argv);
    if (result.result === ACL_OK) return null;
    this.logDenial(caller, result.result, 'lua', command, argv, result.index);
    let message: string;
    switch (result.result) {
      case DENIED_COMMAND: message = "can't run this command or subcommand"; break;
      case DENIED_KEY: message = "can't access at least one of the keys mentioned in the command arguments"; break;
      case DENIED_CHANNEL: message = "can't publish to the channel mentioned in the command"; break;
      default: message = 'lacking the permissions for the command';
    }
    return `The user executing the script ${message}`;
  }

  /** The user `client` is authenticated as, for a client that acts on its behalf (a script's). */
  userOf(client: ClientState): AclUser {
    return userOf(client);
  }

  readsAnyKey(client: ClientState, command: Command, argv: readonly string[]): boolean {
    return allowsReadingAnyKey(userOf(client), command, argv);
  }

  /** redis.acl_check_cmd(): whether the caller's user may run the command line. */
  allows(caller: ClientState, command: Command, argv: readonly string[]): boolean {
    const u = userOf(caller);
    return u.fullAccess || checkCommand(u, command, argv).result === ACL_OK;
  }

  private logDenial(client: ClientState, denial: Denial, context: AclLogContext, command: Command, argv: readonly string[], index: number): void {
    const object = denial === DENIED_COMMAND ? command.fullName : argv[index];
    this.addLogEntry(client, denial, context, object, client.user.name);
  }

  private addLogEntry(client: ClientState, reason: Denial, context: AclLogContext, object: string, username: string): void {
    this.log.add({ reason, context, object, username, timeMs: Date.now(), clientInfo: client.infoLine(null) });
  }

  // ------------------------------------------------------------- ACL commands

  setUser(name: string, rules: readonly string[]): string | null {
    if (hasSpaces(name)) return "Usernames can't contain spaces or null characters";
    const merged = mergeSelectorArguments(rules);
    if ('unmatchedAt' in merged) return `Unmatched parenthesis in acl selector starting at '${rules[merged.unmatchedAt]}'.`;
    const existing = this.users.get(name);
    // The rules are staged on a copy, so an error leaves the user as it was.
    const staged = new AclUser(name, this.commands);
    if (existing !== undefined) staged.copyFrom(existing);
    for (const op of merged.merged) {
      const error = applyUserRule(staged, op, this.commands);
      if (error !== null) return `Error in ACL SETUSER modifier '${op}': ${ruleErrorText(error)}`;
    }
    if (existing !== undefined) {
      this.closeRevokedSubscribers(staged, existing);
      existing.copyFrom(staged);
    } else {
      this.users.set(name, staged);
    }
    return null;
  }

  /**
   * Pub/Sub clients of `original` whose channels or patterns `updated` no longer allows are closed
   * (Redis's ACLKillPubsubClientsIfNeeded).
   */
  private closeRevokedSubscribers(updated: AclUser, original: AclUser): void {
    if (updated.selectors.some((s) => s.allChannels)) return;
    const upcoming = updated.selectors.flatMap((s) => s.channels);
    const retained = original.selectors.every((s) => !s.allChannels && s.channels.every((c) => upcoming.includes(c)));
    if (retained) return;
    const probe = new AclUser(updated.name, this.commands);
    probe.selectors[0].channels = upcoming;
    probe.selectors[0].allChannels = false;
    for (const client of [...this.host.clients()]) {
      if (client.user !== original || !client.isPubSub) continue;
      const revoked = [...client.patterns].some((p) => !userChannelAllowed(probe, p, true)) ||
        [...client.channels].some((c) => !userChannelAllowed(probe, c, false)) ||
        [...client.shardChannels].some((c) => !userChannelAllowed(probe, c, false));
      if (revoked) client.close('ACL channel permission revoked');
    }
  }

  deleteUsers(names: readonly string[], current: ClientState): number {
    let deleted = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined) continue;
      this.users.delete(name);
      this.closeClientsOf(u, current);
      deleted++;
    }
    return deleted;
  }

  /**
   * A deleted user's connections go back to the unauthenticated default user and are closed,
   * the one running the command after its reply (Redis's ACLFreeUserAndKillClients).
   */
  private closeClientsOf(u: AclUser, current: ClientState | null): void {
    for (const client of [...this.host.clients()]) {
      if (client.user !== u) continue;
      client.user = this.defaultUser;
      client.authenticated = false;
      if (client === current) client.closeAfterReply = true;
      else client.close('ACL user deleted');
    }
  }

  userInfo(name: string): AclUserInfo | null {
    const u = this.users.get(name);
    if (u === undefined) return null;
    return {
      flags: userFlags(u),
      passwords: [...u.passwords],
      root: this.selectorInfo(u.root),
      selectors: u.selectors.slice(1).map((s) => this.selectorInfo(s)),
    };
  }

  private selectorInfo(s: Selector): AclSelectorInfo {
    return { commands: describeCommandRules(s, this.commands), keys: selectorKeysText(s), channels: selectorChannelsText(s) };
  }

  listLines(): string[] {
    return this.sortedUsers().map((u) => userLine(u, this.commands));
  }

  userNames(): string[] {
    return this.sortedUsers().map((u) => u.name);
  }

  commandsInCategory(category: string): string[] | null {
    const bit = categoryBit(category);
    if (bit === 0) return null;
    return this.commands.all.filter((c) => (c.aclCategories & bit) !== 0).map((c) => c.fullName);
  }

  logEntries(count: number): AclLogView[] {
    const now = Date.now();
    return this.log.newest(count).map((e) => ({
      count: e.count,
      reason: reasonText(e.reason),
      context: e.context,
      object: e.object,
      username: e.username,
      ageSeconds: (now - e.timeMs) / 1000,
      clientInfo: e.clientInfo,
    }));
  }

  resetLog(): void {
    this.log.reset();
  }

  dryRun(username: string, argv: readonly string[]): { error: string } | { denied: string } | null {
    const u = this.users.get(username);
    if (u === undefined) return { error: `ERR User '${username}' not found` };
    const command = this.commands.lookupLine(argv);
    if (command === undefined) return { error: `ERR Command '${argv[0]}' not found` };
    if ((command.arity > 0 && command.arity !== argv.length) || argv.length < -command.arity) {
      return { error: `ERR ${WRONG_NUMBER(command.fullName)}` };
    }
    const result = checkCommand(u, command, argv);
    switch (result.result) {
      case ACL_OK: return null;
      case DENIED_COMMAND: return { denied: `This user has no permissions to run the '${command.fullName}' command` };
      case DENIED_KEY: return { denied: `This user has no permissions to access the '${argv[result.index]}' key` };
      default: return { denied: `This user has no permissions to access the '${argv[result.index]}' channel` };
    }
  }

  save(): string | null {
    const problem = writeAclFile(this.aclFile, this.sortedUsers(), this.commands);
    if (problem === null) return null;
    this.host.warning(`Writing ACL file for ACL SAVE: ${problem}`);
    return 'ERR There was an error trying to save the ACLs. Please check the server logs for more information';
  }

  load(current: ClientState): string | null {
    const errors = this.loadFile(current);
    return errors === null ? null : `ERR ${errors}`;
  }

  /**
   * Replaces every user with the aclfile's; on any error nothing changes and the errors are
   * returned. The default user object stays (clients hold it) and takes the file's rules, or
   * the default ones; clients of every other old user are closed, as Redis frees those users.
   */
  loadFile(current: ClientState | null): string | null {
    const read = readAclFile(this.aclFile, this.aclFile, this.commands);
    if ('errors' in read) return read.errors;
    const old = this.users;
    const fromFile = read.users.get('default') ?? createDefaultUser(this.commands);
    this.defaultUser.copyFrom(fromFile);
    read.users.set('default', this.defaultUser);
    this.users = read.users;
    for (const u of old.values()) {
      if (u !== this.defaultUser) this.closeClientsOf(u, current);
    }
    return null;
  }

  // ------------------------------------------------------------- start-up

  /**
   * The users of the config file's `user` lines and of the aclfile, loaded once the server
   * exists (Redis's ACLLoadUsersAtStartup). Returns the log lines of a fatal error, or null.
   */
  loadAtStartup(configuredUsers: readonly (readonly string[])[]): string | null {
    if (this.aclFile !== '' && configuredUsers.length > 0) {
      return 'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.';
    }
    for (const [name, ...rules] of configuredUsers) {
      let u = this.users.get(name);
      if (u === undefined) {
        u = new AclUser(name, this.commands);
        this.users.set(name, u);
      } else {
        applyUserRule(u, 'reset', this.commands);
      }
      for (const op of rules) {
        const error = applyUserRule(u, op, this.commands);
        if (error !== null) {
          this.host.warning(`Error loading ACL rule '${op}' for the user named '${name}': ${ruleErrorText(error)}`);
          return 'Critical error while loading ACLs. Exiting.';
        }
      }
      if (!u.enabled) {
        this.host.notice(`The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
      }
    }
    if (this.aclFile !== '') {
      const errors = this.loadFile(null);
      if (errors !== null) return `Aborting Redis startup because of ACL errors: ${errors}`;
    }
    return null;
  }

  /** CONFIG REWRITE's user lines: null with an aclfile (the file keeps them). */
  configUserLines(): string[] | null {
    return this.aclFile === '' ? this.listLines() : null;
  }
}
