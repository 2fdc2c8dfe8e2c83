// client-output-buffer-limit (Redis's checkClientOutputBufferLimits): per client class a hard
// limit that closes at once, and a soft limit that closes a client staying over it for longer
// than soft-seconds. This module only judges; the Server logs, counts and closes.

import type { Config } from '../config/config.js';
import { outputBufferLimitsFromText, type OutputBufferLimit } from '../config/directives.js';
import type { Client } from '../engine/client.js';

type LimitClass = 'normal' | 'replica' | 'pubsub';

export class OutputLimits {
  private limits!: Record<LimitClass, OutputBufferLimit>;
  /** The smallest non-zero limit of the classes clients here can be in: below it, nothing to do. */
  smallestLimitBytes = Infinity;

  constructor(config: Config) {
    this.set(config.str('client-output-buffer-limit'));
    config.onChange('client-output-buffer-limit', (v) => this.set(String(v)));
  }

  private set(text: string): void {
    this.limits = outputBufferLimitsFromText(text);
    const { normal, pubsub, replica } = this.limits;
    const candidates = [normal.hardBytes, normal.softBytes, pubsub.hardBytes, pubsub.softBytes, replica.hardBytes, replica.softBytes].filter((b) => b > 0);
    this.smallestLimitBytes = candidates.length === 0 ? Infinity : Math.min(...candidates);
  }

  /**
   * Whether the client is over its class's limits now. Starts or clears the client's soft-limit
   * clock (softLimitSinceMs) as a side effect; the cron re-checks clients whose clock runs.
   */
  exceeded(client: Client): boolean {
    // Bytes the socket has not handed to the kernel yet grow without bound when the peer
    // stops reading: they count, as Redis counts its unsent reply list.
    const usedBytes = client.outputBufferBytes;
    // The common case on every pushed message: far below any limit, no soft clock running.
    if (usedBytes < this.smallestLimitBytes && client.softLimitSinceMs === 0) return false;
    const limits = client.isReplica ? this.limits.replica : client.isPubSub ? this.limits.pubsub : this.limits.normal;
    if (limits.hardBytes === 0 && limits.softBytes === 0) return false;
    let over = limits.hardBytes > 0 && usedBytes >= limits.hardBytes;
    if (limits.softBytes > 0 && usedBytes >= limits.softBytes) {
      // Over the soft limit, the client must stay there for more than soft-seconds (Redis:
      // elapsed > soft_limit_seconds).
      const nowMs = Date.now();
      if (client.softLimitSinceMs === 0) client.softLimitSinceMs = nowMs;
      else if (nowMs - client.softLimitSinceMs > limits.softSeconds * 1000) over = true;
    } else {
      client.softLimitSinceMs = 0;
    }
    return over;
  }
}
