import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ensureHelm } from '@mailbus/testing';
import type { ServiceName } from '@mailbus/contracts';
import { validateManifest, type Manifest } from './kubernetes-manifests.util';
import { CONFIG_LOADERS, SECRET_KEY_SERVICES, SERVICES, TEST_SECRETS, VARIABLES_READ_OUTSIDE_SCHEMAS, variablesReadBy } from './service-config-loaders';

const execFileAsync = promisify(execFile);
const root = resolve(__dirname, '..', '..');
const chart = resolve(root, 'deploy', 'helm', 'mailbus');
const productionValues = resolve(chart, 'values-production.yaml');
const RELEASE = 'mb';

let helm: string;

async function runHelm(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(helm, args, { cwd: root, maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

async function render(args: string[] = []): Promise<Manifest[]> {
  const stdout = await runHelm(['template', RELEASE, chart, '--namespace', 'mail', ...args]);
  return parseAllDocuments(stdout)
    .map((document) => document.toJSON() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** The error helm prints when it refuses to render. */
async function renderError(args: string[]): Promise<string> {
  try {
    await render(args);
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? (error as Error).message;
  }
  throw new Error(`helm template ${args.join(' ')} succeeded`);
}

const find = (manifests: Manifest[], kind: string, name: string): Manifest | undefined => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
const objectName = (service: string): string => `${RELEASE}-mailbus-${service}`;

interface Container {
  name: string;
  ports: { name: string; containerPort: number }[];
  envFrom: { configMapRef: { name: string } }[];
  env: { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; privileged?: boolean; capabilities?: { drop?: string[] } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface PodSpec {
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  topologySpreadConstraints?: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[];
  terminationGracePeriodSeconds: number;
}
interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
}
interface NetworkPolicySpec {
  ingress: { ports: { port: string | number }[]; from?: unknown[] }[];
}

const spec = <T>(manifest: Manifest | undefined): T => manifest?.spec as T;

/** The seconds of a container's `sleep` preStop hook, 0 without one. */
const preStopSleepSeconds = (container: Container): number => {
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : 0;
};

/** The environment a service's pod gets: its ConfigMap plus the Secret keys it references. */
function podEnvironment({ manifests, service, secretData }: { manifests: Manifest[]; service: ServiceName; secretData: Record<string, string> }): Record<string, string> {
  const container = spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service))).template.spec.containers[0]!;
  const env: Record<string, string> = {};
  for (const source of container.envFrom) Object.assign(env, (find(manifests, 'ConfigMap', source.configMapRef.name)?.data as Record<string, string> | undefined) ?? {});
  for (const variable of container.env) {
    const value = secretData[variable.valueFrom.secretKeyRef.key];
    expect(value, `${service}: Secret key ${variable.valueFrom.secretKeyRef.key}`).toBeDefined();
    env[variable.name] = value!;
  }
  return env;
}

const scenarios = [
  { name: 'default values', args: [] as string[], existingSecret: undefined as string | undefined },
  { name: 'production values', args: ['-f', productionValues], existingSecret: 'mailbus-secrets' },
];

describe('Helm chart deploy/helm/mailbus', () => {
  beforeAll(async () => {
    // npm test builds helm before the tests (tools/test.ts); this covers a run of vitest alone.
    helm = await ensureHelm({ log: (line) => process.stdout.write(`[helm] ${line}\n`) });
  }, 30 * 60_000);

  describe.each(scenarios)('with $name', ({ args, existingSecret }) => {
    let manifests: Manifest[];
    beforeAll(async () => {
      manifests = await render(args);
    });

    it('should pass helm lint --strict', async () => {
      const stdout = await runHelm(['lint', '--strict', chart, ...args]);
      expect(stdout).toContain('0 chart(s) failed');
    });

    it('should render only manifests that validate against the Kubernetes API schemas', () => {
      expect(manifests.length).toBeGreaterThan(30);
      const problems = manifests.flatMap((manifest) => validateManifest(manifest).map((problem) => `${manifest.kind} ${manifest.metadata.name}: ${problem}`));
      expect(problems).toEqual([]);
    });

    it.each(SERVICES)('should give %s a Deployment, Service, ConfigMap, PodDisruptionBudget and NetworkPolicy', (service) => {
      for (const kind of ['Deployment', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'NetworkPolicy']) expect(find(manifests, kind, objectName(service)), `${kind} of ${service}`).toBeDefined();
    });

    it.each(SERVICES)('should give %s every variable its configuration requires, and only variables it reads', (service) => {
      const secret = find(manifests, 'Secret', `${RELEASE}-mailbus-secrets`);
      if (existingSecret) expect(secret).toBeUndefined();
      const secretData = existingSecret
        ? TEST_SECRETS
        : Object.fromEntries(Object.entries((secret?.data ?? {}) as Record<string, string>).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
      const env = podEnvironment({ manifests, service, secretData });
      expect(env.MAILBUS_SERVICE).toBe(service);
      const config = CONFIG_LOADERS[service](env);
      const deployment = spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service)));
      expect(deployment.template.spec.containers[0]?.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: config.httpPort })]);
      for (const variable of deployment.template.spec.containers[0]?.env ?? []) expect(variable.valueFrom.secretKeyRef.name).toBe(existingSecret ?? `${RELEASE}-mailbus-secrets`);
      const known = new Set([...variablesReadBy(service), ...VARIABLES_READ_OUTSIDE_SCHEMAS, ...(SECRET_KEY_SERVICES.includes(service) ? ['MAILBUS_SECRET_KEY'] : [])]);
      expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
      expect('MAILBUS_SECRET_KEY' in env).toBe(SECRET_KEY_SERVICES.includes(service));
      expect('MAILBUS_API_TOKENS' in env).toBe(service === 'api');
    });

    it.each(SERVICES)('should run %s non-root on a read-only root filesystem, with probes, resources and topology spread', (service) => {
      const deployment = spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service)));
      const pod = deployment.template.spec;
      const container = pod.containers[0]!;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.resources.requests?.cpu).toBeDefined();
      expect(container.resources.requests?.memory).toBeDefined();
      expect(container.resources.limits?.memory).toBeDefined();
      expect(pod.topologySpreadConstraints?.map((constraint) => constraint.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const constraint of pod.topologySpreadConstraints ?? []) expect(constraint.labelSelector.matchLabels).toEqual(deployment.selector.matchLabels);
      expect(deployment.template.metadata.labels).toMatchObject(deployment.selector.matchLabels);
      // SIGKILL comes after the preStop hook and the service's own grace period for in-flight work.
      const graceMs = Number(podEnvironment({ manifests, service, secretData: { ...TEST_SECRETS } }).SHUTDOWN_GRACE_MS);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopSleepSeconds(container) * 1000 + graceMs);
    });

    it('should keep the api serving for a few seconds after it is marked for termination, so the ingress stops routing to it first', () => {
      const containerOf = (service: ServiceName): Container => spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service))).template.spec.containers[0]!;
      expect(containerOf('api').lifecycle?.preStop?.exec?.command).toEqual(['sleep', '5']);
      for (const service of SERVICES.filter((name) => name !== 'api')) expect(containerOf(service).lifecycle, service).toBeUndefined();
    });

    it('should roll the pods when the Secret the chart manages changes, and only then look at it', () => {
      for (const service of SERVICES) {
        const annotations = spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service))).template.metadata.annotations ?? {};
        expect(annotations['checksum/config'], service).toMatch(/^[0-9a-f]{64}$/);
        if (existingSecret) expect(annotations['checksum/secret'], service).toBeUndefined();
        else expect(annotations['checksum/secret'], service).toMatch(/^[0-9a-f]{64}$/);
      }
    });

    it.each(SERVICES)('should route the Service of %s to its pods and port', (service) => {
      const deployment = spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service)));
      const serviceSpec = spec<{ selector: Record<string, string>; ports: { name: string; targetPort: string }[] }>(find(manifests, 'Service', objectName(service)));
      expect(serviceSpec.selector).toEqual(deployment.selector.matchLabels);
      expect(serviceSpec.ports).toEqual([expect.objectContaining({ name: 'http', targetPort: 'http' })]);
      expect(spec<{ selector: { matchLabels: Record<string, string> } }>(find(manifests, 'PodDisruptionBudget', objectName(service))).selector.matchLabels).toEqual(deployment.selector.matchLabels);
    });

    it('should autoscale fetcher, message-router and smtp-sender, leaving their replica count to the HPA', () => {
      for (const service of ['fetcher', 'message-router', 'smtp-sender']) {
        const hpa = spec<{ scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number }>(find(manifests, 'HorizontalPodAutoscaler', objectName(service)));
        expect(hpa?.scaleTargetRef, service).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(service) });
        expect(hpa.maxReplicas).toBeGreaterThanOrEqual(hpa.minReplicas);
        expect(spec<DeploymentSpec>(find(manifests, 'Deployment', objectName(service))).replicas, service).toBeUndefined();
      }
    });

    it('should let only the mail-facing services reach mail server ports', () => {
      const mailPorts = (service: string): number[] =>
        spec<{ egress: { ports: { port: number }[]; to?: unknown[] }[] }>(find(manifests, 'NetworkPolicy', objectName(service)))
          .egress.flatMap((rule) => rule.ports.map((port) => port.port))
          .filter((port) => [25, 143, 587, 993].includes(port));
      for (const service of SECRET_KEY_SERVICES) expect(mailPorts(service), service).toEqual([25, 143, 587, 993]);
      for (const service of ['api', 'message-router']) expect(mailPorts(service), service).toEqual([]);
    });
  });

  describe('with the production values', () => {
    let manifests: Manifest[];
    beforeAll(async () => {
      manifests = await render(['-f', productionValues]);
    });

    it('should render the PrometheusRule from deploy/prometheus/alerts.yaml, rule for rule', () => {
      const alerts = parse(readFileSync(resolve(root, 'deploy', 'prometheus', 'alerts.yaml'), 'utf8')) as { groups: unknown[] };
      const rule = find(manifests, 'PrometheusRule', `${RELEASE}-mailbus`);
      expect(spec<{ groups: unknown[] }>(rule).groups).toEqual(alerts.groups);
      expect(rule?.metadata.labels?.release).toBe('kube-prometheus-stack');
    });

    it('should ship deploy/grafana/mailbus-dashboard.json for the Grafana sidecar', () => {
      const dashboard = find(manifests, 'ConfigMap', `${RELEASE}-mailbus-dashboard`);
      expect(dashboard?.metadata.labels?.grafana_dashboard).toBe('1');
      expect(JSON.parse((dashboard?.data as Record<string, string>)['mailbus-dashboard.json']!)).toEqual(
        JSON.parse(readFileSync(resolve(root, 'deploy', 'grafana', 'mailbus-dashboard.json'), 'utf8')),
      );
    });

    it('should scrape every service under job="mailbus" with the service label the alerts use', () => {
      const monitor = spec<{
        jobLabel: string;
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string; honorLabels: boolean; relabelings: { sourceLabels: string[]; targetLabel: string }[] }[];
      }>(find(manifests, 'ServiceMonitor', `${RELEASE}-mailbus`));
      const services = manifests.filter((manifest) => manifest.kind === 'Service');
      expect(services).toHaveLength(SERVICES.length);
      for (const service of services) {
        expect(service.metadata.labels).toMatchObject(monitor.selector.matchLabels);
        expect(service.metadata.labels?.[monitor.jobLabel]).toBe('mailbus');
      }
      expect(monitor.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics', honorLabels: true })]);
      expect(monitor.endpoints[0]?.relabelings).toContainEqual({ sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_component'], targetLabel: 'service' });
    });

    it('should let Prometheus (metricsFrom) reach /metrics of every service, the api included, and only the ingress controller (apiFrom) reach the api otherwise', () => {
      const values = parse(readFileSync(productionValues, 'utf8')) as { networkPolicy: { apiFrom: unknown[]; metricsFrom: unknown[] } };
      const { apiFrom, metricsFrom } = values.networkPolicy;
      expect(apiFrom.length).toBeGreaterThan(0);
      expect(metricsFrom.length).toBeGreaterThan(0);
      // A NetworkPolicy cannot tell paths apart: the ServiceMonitor scrapes the port named http.
      const admits = (service: ServiceName, peers: unknown[]): boolean =>
        spec<NetworkPolicySpec>(find(manifests, 'NetworkPolicy', objectName(service))).ingress.some(
          (rule) => rule.ports.some((port) => port.port === 'http') && (rule.from === undefined || peers.every((peer) => rule.from!.some((from) => JSON.stringify(from) === JSON.stringify(peer)))),
        );
      for (const service of SERVICES) expect(admits(service, metricsFrom), `${service} admits metricsFrom`).toBe(true);
      expect(admits('api', apiFrom)).toBe(true);
      const apiPeers = spec<NetworkPolicySpec>(find(manifests, 'NetworkPolicy', objectName('api'))).ingress.map((rule) => rule.from);
      expect(apiPeers).toEqual([apiFrom, metricsFrom]);
    });

    it('should expose only /v1 and the OpenAPI document of the api through the Ingress, with TLS', () => {
      const ingress = spec<{ tls: unknown[]; rules: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[] }>(
        find(manifests, 'Ingress', objectName('api')),
      );
      expect(ingress.tls).toHaveLength(1);
      const paths = ingress.rules.flatMap((rule) => rule.http.paths);
      expect(paths.map((path) => path.path).sort()).toEqual(['/docs', '/docs-json', '/v1']);
      for (const path of paths) expect(path.backend.service).toEqual({ name: objectName('api'), port: { name: 'http' } });
    });

    it('should create no Secret and take every secret from the existing one', () => {
      expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    });
  });

  describe('values.schema.json', () => {
    it.each([
      [['--set', 'services.fetcher.port=0'], '/services/fetcher/port'],
      [['--set', 'nats.url=http://nats:4222'], '/nats/url'],
      [['--set', 'mongodb.url=postgres://db'], '/mongodb/url'],
      [['--set', 'services.fetcher.autoscaling.targetCPUUtilizationPercentage=150'], 'targetCPUUtilizationPercentage'],
      [['--set', 'replicaCount=3'], "additional properties 'replicaCount' not allowed"],
      [['--set', 'services.fetcher.env.fetch_concurrency=3'], 'fetch_concurrency'],
    ])('should refuse %j', async (args, message) => {
      expect(await renderError(args)).toContain(message);
    });
  });

  describe('the Secret the chart manages', () => {
    const secretChecksum = async (args: string[]): Promise<string | undefined> =>
      spec<DeploymentSpec>(find(await render(args), 'Deployment', objectName('api'))).template.metadata.annotations?.['checksum/secret'];
    const givenSecrets = { secretKey: Buffer.alloc(32, 7).toString('base64'), apiTokens: `admin:${'a'.repeat(32)}` };
    const setSecrets = (secrets: Partial<typeof givenSecrets>): string[] => Object.entries(secrets).flatMap(([value, text]) => ['--set', `secrets.${value}=${text}`]);
    const given = setSecrets(givenSecrets);

    it('should give the pods the same checksum for the same secrets, and another when a token changes', async () => {
      const first = await secretChecksum(given);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(await secretChecksum(given)).toBe(first);
      expect(await secretChecksum([...given, '--set', `secrets.apiTokens=admin:${'b'.repeat(32)}`])).not.toBe(first);
    });

    it.each(['secretKey', 'apiTokens'] as const)('should refuse to generate %s with secrets.generate=false when the Secret cannot be found (helm template, Argo CD)', async (value) => {
      const others = Object.fromEntries(Object.entries(givenSecrets).filter(([name]) => name !== value));
      expect(await renderError(['--set', 'secrets.generate=false', ...setSecrets(others)])).toContain(`secrets.${value} is empty and Secret ${RELEASE}-mailbus-secrets was not found`);
    });

    it('should render with secrets.generate=false when the secrets are given', async () => {
      const data = (find(await render(['--set', 'secrets.generate=false', ...given]), 'Secret', `${RELEASE}-mailbus-secrets`)?.data ?? {}) as Record<string, string>;
      expect(Buffer.from(data.MAILBUS_API_TOKENS ?? '', 'base64').toString('utf8')).toBe(`admin:${'a'.repeat(32)}`);
    });
  });

  it('should generate a valid encryption key and API tokens when none are given', async () => {
    const manifests = await render([]);
    const data = (find(manifests, 'Secret', `${RELEASE}-mailbus-secrets`)?.data ?? {}) as Record<string, string>;
    const decoded = (key: string): string => Buffer.from(data[key] ?? '', 'base64').toString('utf8');
    expect(Buffer.from(decoded('MAILBUS_SECRET_KEY'), 'base64')).toHaveLength(32);
    expect(decoded('MAILBUS_API_TOKENS')).toMatch(/^admin:[A-Za-z0-9]{32},app:[A-Za-z0-9]{32}$/);
    expect(find(manifests, 'Secret', `${RELEASE}-mailbus-secrets`)?.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });
});
