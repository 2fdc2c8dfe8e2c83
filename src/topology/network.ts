// The two kinds of network lab a topology can run in, so that chaos can cut a node off: network
// namespaces on a private bridge (netns.ts: root and iproute2) or loopback relays (relay.ts:
// unprivileged). `chooseLab` picks one: namespaces when they can be made, else the relays,
// unless the caller forces either.

import { NetnsLab, type LabHost } from './netns.js';
import { RelayLab, type RelayHost } from './relay.js';

export type NetworkLab = NetnsLab | RelayLab;
export type NetworkHost = LabHost | RelayHost;
export type PartitionMode = 'netns' | 'relay';

/** The lab for `mode` ('auto': namespaces where possible); a forced netns that cannot be made throws why. */
export function chooseLab(mode: PartitionMode | 'auto'): NetworkLab {
  if (mode === 'relay') return new RelayLab();
  const reason = NetnsLab.unavailableReason();
  if (reason === null) return new NetnsLab();
  if (mode === 'netns') throw new Error(`--partition-mode netns needs network namespaces, which cannot be made here: ${reason}`);
  return new RelayLab();
}

export function cutHost(lab: NetworkLab, host: NetworkHost): void {
  if (lab instanceof NetnsLab && host.kind === 'netns') lab.cut(host);
  else if (lab instanceof RelayLab && host.kind === 'relay') lab.cut(host);
  else throw new Error(`a ${host.kind} host is not in a ${lab.mode} lab`);
}

export function healHost(lab: NetworkLab, host: NetworkHost): void {
  if (lab instanceof NetnsLab && host.kind === 'netns') lab.heal(host);
  else if (lab instanceof RelayLab && host.kind === 'relay') lab.heal(host);
  else throw new Error(`a ${host.kind} host is not in a ${lab.mode} lab`);
}
