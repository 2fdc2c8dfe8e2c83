// INFO's instantaneous_ops_per_sec and instantaneous_input/output_kbps: like Redis's
// trackInstantaneousMetric, the cron samples the counters' growth rate every 100 ms and INFO
// shows the mean of the last 16 samples.

import type { ServerStats } from '../commands/context.js';

/** Samples kept per metric (Redis's STATS_METRIC_SAMPLES). */
const SAMPLES = 16;
/** Minimum time between two samples (Redis samples every 100 ms). */
const SAMPLE_PERIOD_MS = 100;

/** Bytes per second, clients' and replication's apart (as Redis 7.0 reports them). */
export interface NetworkRates {
  inputBytesPerSec: number;
  outputBytesPerSec: number;
  replInputBytesPerSec: number;
  replOutputBytesPerSec: number;
}

export class InstantaneousRates {
  private opsSamples: number[] = [];
  /** Bytes per second: [input, output, replication input, replication output]. */
  private netSamples: Array<[number, number, number, number]> = [];
  private lastOpsTimeMs: number;
  private lastCommands = 0;
  private lastNetTimeMs: number;
  private lastInputBytes = 0;
  private lastOutputBytes = 0;
  private lastReplInputBytes = 0;
  private lastReplOutputBytes = 0;

  constructor(private readonly stats: ServerStats) {
    this.lastOpsTimeMs = this.lastNetTimeMs = Date.now();
  }

  /** Called by the cron; takes a sample when the period has elapsed. */
  sample(nowMs: number): void {
    const elapsedMs = nowMs - this.lastOpsTimeMs;
    if (elapsedMs < SAMPLE_PERIOD_MS) return;
    const commands = this.stats.totalCommandsProcessed;
    pushSample(this.opsSamples, Math.round(((commands - this.lastCommands) * 1000) / elapsedMs));
    this.lastOpsTimeMs = nowMs;
    this.lastCommands = commands;
    this.sampleNetwork(nowMs);
  }

  private sampleNetwork(nowMs: number): void {
    const elapsedMs = nowMs - this.lastNetTimeMs;
    if (elapsedMs <= 0) return;
    const inputBytes = this.stats.totalNetInputBytes;
    const outputBytes = this.stats.totalNetOutputBytes;
    const replInputBytes = this.stats.totalNetReplInputBytes;
    const replOutputBytes = this.stats.totalNetReplOutputBytes;
    pushSample(this.netSamples, [
      ((inputBytes - this.lastInputBytes) * 1000) / elapsedMs,
      ((outputBytes - this.lastOutputBytes) * 1000) / elapsedMs,
      ((replInputBytes - this.lastReplInputBytes) * 1000) / elapsedMs,
      ((replOutputBytes - this.lastReplOutputBytes) * 1000) / elapsedMs,
    ]);
    this.lastNetTimeMs = nowMs;
    this.lastInputBytes = inputBytes;
    this.lastOutputBytes = outputBytes;
    this.lastReplInputBytes = replInputBytes;
    this.lastReplOutputBytes = replOutputBytes;
  }

  get opsPerSec(): number {
    if (this.opsSamples.length === 0) return 0;
    return Math.round(this.opsSamples.reduce((a, b) => a + b, 0) / this.opsSamples.length);
  }

  /** Average bytes/s over the recent samples. */
  bytesPerSec(): NetworkRates {
    const rates = { inputBytesPerSec: 0, outputBytesPerSec: 0, replInputBytesPerSec: 0, replOutputBytesPerSec: 0 };
    const n = this.netSamples.length;
    if (n === 0) return rates;
    for (const [input, output, replInput, replOutput] of this.netSamples) {
      rates.inputBytesPerSec += input / n;
      rates.outputBytesPerSec += output / n;
      rates.replInputBytesPerSec += replInput / n;
      rates.replOutputBytesPerSec += replOutput / n;
    }
    return rates;
  }

  /** CONFIG RESETSTAT: forget the samples; the counters restart from zero too. */
  reset(nowMs: number): void {
    this.opsSamples = [];
    this.netSamples = [];
    this.lastOpsTimeMs = this.lastNetTimeMs = nowMs;
    this.lastCommands = 0;
    this.lastInputBytes = 0;
    this.lastOutputBytes = 0;
    this.lastReplInputBytes = 0;
    this.lastReplOutputBytes = 0;
  }
}

function pushSample<T>(samples: T[], value: T): void {
  samples.push(value);
  if (samples.length > SAMPLES) samples.shift();
}
