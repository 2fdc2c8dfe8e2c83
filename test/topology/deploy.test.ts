// The deployment files: both compose files pass `docker-compose config`; the Kubernetes
// manifests parse as YAML and have the pieces the deployment needs; and every cinnabar command
// line in them (compose services, the Dockerfile's CMD, the StatefulSet's args with the pod's
// variables filled in) is accepted by cinnabar-server's own argument parser and configuration
// loader. The sentinel template also starts a real cinnabar-sentinel.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerArgs } from '../../src/cli/server-args.js';
import { loadConfig } from '../../src/server/start.js';
import { startSentinel } from '../../src/sentinel/start.js';
import { haveProgram } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'cinnabar-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const havePyYaml = haveProgram('python3') && spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

/** YAML documents as plain values (PyYAML's safe loader: no YAML package in the project). */
function parseYaml(text: string): unknown[] {
  const out = spawnSync('python3', ['-c', 'import sys, json, yaml; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)'], { input: text, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`YAML did not parse: ${out.stderr}`);
  return JSON.parse(out.stdout) as unknown[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;

/**
 * Loads the configuration a command line gives, as cinnabar-server does; container paths are
 * mapped to scratch ones (the loader checks that `dir` exists). Throws with Redis's message if
 * a directive or value is refused.
 */
function acceptServerArgs(args: readonly string[], files: Record<string, string> = {}, sentinel = false): void {
  const mapped = args.map((a) => (a === '/data' ? scratch : files[a] ?? a));
  const parsed = parseServerArgs(mapped.filter((a) => a !== '--sentinel'));
  loadConfig({
    configFile: parsed.configFile,
    directives: parsed.directives,
    sentinel,
  });
}

function composeConfig(file: string): Obj {
  const out = spawnSync('docker-compose', ['-f', join(ROOT, file), 'config'], { encoding: 'utf8', cwd: ROOT });
  expect(out.stderr).not.toMatch(/ERROR/);
  expect(out.status).toBe(0);
  return obj(parseYaml(out.stdout)[0]);
}

describe.skipIf(!haveProgram('docker-compose') || !havePyYaml)('docker-compose files', () => {
  it('docker-compose.cluster.yml: six announced nodes with volumes, a one-shot creator naming them', () => {
    const services = obj(composeConfig('docker-compose.cluster.yml').services);
    const nodes = Object.keys(services).filter((name) => name.startsWith('node-'));
    expect(nodes).toHaveLength(6);
    const announced: string[] = [];
    for (const name of nodes) {
      const service = obj(services[name]);
      expect(obj(service.build).dockerfile).toBe('deploy/Dockerfile');
      const command = service.command as string[];
      acceptServerArgs(command);
      const directive = (d: string): string => command[command.indexOf(`--${d}`) + 1];
      expect(directive('cluster-enabled')).toBe('yes');
      expect(directive('cluster-announce-hostname')).toBe(name);
      expect(directive('cluster-announce-port')).toBe('6379');
      expect(directive('cluster-announce-bus-port')).toBe('16379');
      // The announced address is the node's own fixed address on the network.
      const ip = directive('cluster-announce-ip');
      expect(obj(obj(service.networks)['cinnabar-cluster']).ipv4_address).toBe(ip);
      announced.push(`${ip}:6379`);
      expect((service.volumes as Array<Obj | string>).some((v) => (typeof v === 'string' ? v : String(v.target)).includes('/data'))).toBe(true);
    }
    const creator = obj(services['cluster-create']);
    expect(creator.restart).toBe('no');
    const script = (creator.command as string[]).join(' ');
    expect(script).toContain(`redis-cli --cluster create ${announced.join(' ')} --cluster-replicas 1 --cluster-yes`);
    expect(Object.keys(obj(creator.depends_on)).sort()).toEqual(nodes.sort());
  });

  it('docker-compose.sentinel.yml: primary, replicas and sentinels whose command lines cinnabar accepts', async () => {
    const services = obj(composeConfig('docker-compose.sentinel.yml').services);
    expect(Object.keys(services).sort()).toEqual(['primary', 'replica-1', 'replica-2', 'sentinel-1', 'sentinel-2', 'sentinel-3']);
    const template = join(ROOT, 'deploy/sentinel.conf');
    for (const [name, value] of Object.entries(services)) {
      const command = obj(value).command as string[];
      if (name.startsWith('sentinel-')) {
        // The image's entry point: `sentinel TEMPLATE args...` runs cinnabar-sentinel on a copy.
        expect(command.slice(0, 2)).toEqual(['sentinel', '/etc/cinnabar/sentinel.conf']);
        const mounted = (obj(value).volumes as Array<Obj | string>).map((v) => (typeof v === 'string' ? v : `${String(v.source)}:${String(v.target)}`));
        expect(mounted.some((v) => v.startsWith(`${template}:/etc/cinnabar/sentinel.conf`))).toBe(true);
        const copy = join(scratch, `${name}.conf`);
        writeFileSync(copy, readFileSync(template));
        acceptServerArgs([copy, ...command.slice(2)], {}, true);
      } else {
        acceptServerArgs(command);
        if (name.startsWith('replica-')) expect(command.join(' ')).toContain('--replicaof 172.31.0.10 6379');
      }
    }
    // The template's sentinel lines are read by a real sentinel (on a free port, loopback).
    const copy = join(scratch, 'sentinel-real.conf');
    writeFileSync(copy, readFileSync(template, 'utf8').replace(/^port .*$/m, 'port 0\nbind 127.0.0.1'));
    const config = loadConfig({ configFile: copy, sentinel: true, directives: { loglevel: 'warning', dir: scratch } });
    const running = await startSentinel({ config, sentinel: true });
    try {
      expect([...running.sentinel.masters.keys()]).toEqual(['mymaster']);
    } finally {
      await running.close();
    }
  });

  it("the Dockerfile's default command, healthcheck and user", () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
    acceptServerArgs(cmd);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*ping\.cjs/m);
  });
});

describe.skipIf(!havePyYaml)('Kubernetes manifests', () => {
  const files = ['configmap.yaml', 'service.yaml', 'statefulset.yaml', 'job-create-cluster.yaml', 'kustomization.yaml'];
  const docs = (): Obj[] => files.flatMap((f) => parseYaml(readFileSync(join(ROOT, 'deploy/kubernetes', f), 'utf8')).map(obj));

  it('parse, and hold a headless Service, a StatefulSet with volumes and probes, a ConfigMap and a Job', () => {
    const byKind = new Map(docs().map((d) => [String(d.kind), d]));
    expect([...byKind.keys()].sort()).toEqual(['ConfigMap', 'Job', 'Kustomization', 'Service', 'StatefulSet']);
    const service = obj(byKind.get('Service')!.spec);
    expect(service.clusterIP).toBe('None');
    const set = obj(byKind.get('StatefulSet')!.spec);
    expect(set.serviceName).toBe(obj(byKind.get('Service')!.metadata).name);
    expect(set.replicas).toBe(6);
    expect((set.volumeClaimTemplates as Obj[]).map((v) => obj(v.metadata).name)).toEqual(['data']);
    const container = obj((obj(obj(set.template).spec).containers as Obj[])[0]);
    expect(obj(container.readinessProbe).exec).toBeDefined();
    expect(obj(container.livenessProbe).exec).toBeDefined();
    const job = String((obj((obj(obj(obj(byKind.get('Job')!.spec).template).spec).containers as Obj[])[0]).args as string[]).join('\n'));
    expect(job).toContain('redis-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes');
  });

  it("the StatefulSet's command line, with the ConfigMap's file, is accepted by cinnabar-server", () => {
    const all = docs();
    const configMap = all.find((d) => d.kind === 'ConfigMap')!;
    const configFile = join(scratch, 'cinnabar.conf');
    writeFileSync(configFile, String(obj(configMap.data)['cinnabar.conf']).replaceAll('/data', scratch));
    const set = all.find((d) => d.kind === 'StatefulSet')!;
    const container = obj((obj(obj(obj(set.spec).template).spec).containers as Obj[])[0]);
    const mount = (container.volumeMounts as Obj[]).find((m) => m.name === 'config')!;
    const args = (container.args as string[]).map((a) => a
      .replace('$(POD_IP)', '10.1.2.3').replace('$(POD_NAME)', 'cinnabar-0').replace('$(POD_NAMESPACE)', 'default'));
    expect(args[0]).toBe(`${String(mount.mountPath)}/cinnabar.conf`);
    acceptServerArgs(args, { [args[0]]: configFile });
    expect(args).toContain('cinnabar-0.cinnabar.default.svc.cluster.local');
    // Every variable the args use is defined from the pod's fields.
    const env = (container.env as Obj[]).map((e) => String(e.name));
    for (const m of (container.args as string[]).join(' ').matchAll(/\$\((\w+)\)/g)) expect(env).toContain(m[1]);
  });
});
