// Ports for topologies: free ones picked by the kernel (fixtures), or the ones a user named,
// checked before anything starts (`cinnabar up` refuses a busy port instead of half-starting).

import net from 'node:net';

/** A port nobody listens on right now, picked by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports (the kernel may hand out a port again once it was released). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  // Each round gets a new port unless the kernel reuses one: bounded so a broken host fails.
  for (let attempts = 0; ports.size < count; attempts++) {
    if (attempts > count * 20) throw new Error(`could not find ${count} free ports on ${host}`);
    ports.add(await freePort(host));
  }
  return [...ports];
}

/** Whether something already listens on `port` (or the port cannot be bound for another reason). */
export function portBusy(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** The first busy port of `ports`, or null when all are free. */
export async function firstBusyPort(ports: readonly number[], host = '127.0.0.1'): Promise<number | null> {
  for (const port of ports) {
    if (port < 1 || port > 65535) return port;
    if (await portBusy(port, host)) return port;
  }
  return null;
}
