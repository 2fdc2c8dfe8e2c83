// The few commands a topology sends its nodes while forming and checking it (CLUSTER MEET, INFO,
// SENTINEL ...), as promises over the RESP link the sentinel uses. Each call has a deadline: a
// node that stops answering (SIGSTOP, a partition) fails the call instead of hanging the caller.

import { RespLink, type RespReply } from '../protocol/resp-link.js';

const DEFAULT_CALL_TIMEOUT_MS = 5000;

export class ReplyError extends Error {}

export class NodeClient {
  private link: RespLink | null = null;
  /** The rejections of the calls waiting on the current link, run when it is lost. */
  private readonly waiting = new Set<(reason: string) => void>();

  constructor(readonly host: string, readonly port: number, private readonly callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS) {}

  private currentLink(): RespLink {
    if (this.link !== null && !this.link.isClosed) return this.link;
    const link = new RespLink(this.host, this.port);
    link.onDisconnect = (reason) => this.lost(link, reason);
    this.link = link;
    return link;
  }

  private lost(link: RespLink, reason: string): void {
    if (this.link !== link) return;
    this.link = null;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const reject of waiting) reject(reason);
  }

  /** Sends one command; resolves with its reply (errors included), rejects on a lost link or timeout. */
  call(...argv: string[]): Promise<RespReply> {
    const link = this.currentLink();
    return new Promise((resolve, reject) => {
      const fail = (reason: string): void => {
        clearTimeout(timer);
        this.waiting.delete(fail);
        reject(new Error(`${this.host}:${this.port} ${argv[0]}: ${reason}`));
      };
      const timer = setTimeout(() => {
        // Later replies on this link would be taken for the wrong calls: it is dropped.
        fail(`no answer within ${this.callTimeoutMs} ms`);
        link.close();
        this.lost(link, 'link dropped after a timeout');
      }, this.callTimeoutMs);
      this.waiting.add(fail);
      const queued = link.send(argv, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(fail);
        resolve(reply);
      });
      if (!queued) fail('connection closed');
    });
  }

  /** The reply as text (status or bulk); a Redis error reply rejects with its message. */
  async text(...argv: string[]): Promise<string> {
    const reply = await this.call(...argv);
    if (reply.type === 'error') throw new ReplyError(reply.text);
    if (reply.type === 'status' || reply.type === 'bulk') return reply.text;
    if (reply.type === 'integer') return String(reply.value);
    throw new Error(`${argv.join(' ')}: unexpected ${reply.type} reply`);
  }

  /** INFO <section> as field -> value. */
  async info(section: string): Promise<Map<string, string>> {
    return parseInfo(await this.text('INFO', section));
  }

  close(): void {
    const link = this.link;
    if (link === null) return;
    link.close();
    this.lost(link, 'client closed');
  }
}

/** INFO text (or CLUSTER INFO) as field -> value. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A flat [k1, v1, k2, v2 ...] reply (SENTINEL MASTER) as an object. */
export function replyFields(reply: RespReply): Record<string, string> {
  const out: Record<string, string> = {};
  if (reply.type !== 'array') return out;
  for (let i = 0; i + 1 < reply.items.length; i += 2) {
    const k = reply.items[i];
    const v = reply.items[i + 1];
    if (k.type === 'bulk' && v.type === 'bulk') out[k.text] = v.text;
  }
  return out;
}
