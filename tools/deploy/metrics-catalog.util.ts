import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';

const root = resolve(__dirname, '..', '..');

export interface CatalogMetric {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** mailbus: a service's own metric; prom-client: default process metric; prometheus: written by Prometheus (up). */
  source: 'mailbus' | 'prom-client' | 'prometheus';
  service: string;
  labels: string[];
  /** present: exported today; planned: the name is fixed, its service does not export it yet. */
  status: 'present' | 'planned';
  help: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface DashboardPanel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: DashboardPanel[];
}

/** deploy/metrics-catalog.json: every metric the dashboard and the alert rules may query. */
export const loadMetricsCatalog = (): CatalogMetric[] => (JSON.parse(readFileSync(resolve(root, 'deploy', 'metrics-catalog.json'), 'utf8')) as { metrics: CatalogMetric[] }).metrics;

export const loadAlertGroups = (): { name: string; rules: AlertRule[] }[] =>
  (parse(readFileSync(resolve(root, 'deploy', 'prometheus', 'alerts.yaml'), 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] }).groups;

export const loadDashboard = (): { panels: DashboardPanel[]; templating: { list: { name: string; query?: unknown; definition?: string }[] } } =>
  JSON.parse(readFileSync(resolve(root, 'deploy', 'grafana', 'mailbus-dashboard.json'), 'utf8')) as ReturnType<typeof loadDashboard>;

/** Every PromQL expression of the dashboard (panel targets and the label_values() of its variables). */
export function dashboardExpressions(): { where: string; expr: string }[] {
  const dashboard = loadDashboard();
  const walk = (panels: DashboardPanel[]): { where: string; expr: string }[] =>
    panels.flatMap((panel) => [...(panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })), ...walk(panel.panels ?? [])]);
  const variables = dashboard.templating.list.flatMap((variable) => {
    const match = /^label_values\((.+),\s*\w+\)$/.exec(variable.definition ?? '');
    return match ? [{ where: `variable $${variable.name}`, expr: match[1]! }] : [];
  });
  return [...walk(dashboard.panels), ...variables];
}

/** Grafana's interval variables become a duration, so that the expression is plain PromQL. */
const withoutGrafanaVariables = (expr: string): string => expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');

/** Syntax errors of a PromQL expression (Prometheus' own Lezer grammar), empty when it parses. */
export function promqlErrors(expr: string): string[] {
  const source = withoutGrafanaVariables(expr);
  const errors: string[] = [];
  parser.parse(source).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: "${source.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
    },
  });
  return errors;
}

/** The metric names a PromQL expression selects (the names of its vector selectors). */
export function metricNamesIn(expr: string): string[] {
  const source = withoutGrafanaVariables(expr);
  const names = new Set<string>();
  parser.parse(source).iterate({
    enter: (node) => {
      const identifier = node.name === 'VectorSelector' ? node.node.firstChild : null;
      if (identifier?.name === 'Identifier') names.add(source.slice(identifier.from, identifier.to));
    },
  });
  return [...names];
}

/** The catalog name a selected series belongs to: a histogram's _bucket, _sum and _count are its own. */
export function catalogNameOf({ name, catalog }: { name: string; catalog: CatalogMetric[] }): string | undefined {
  if (catalog.some((metric) => metric.name === name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return catalog.some((metric) => metric.name === base && metric.type === 'histogram') ? base : undefined;
}

/**
 * The catalog names the dashboard and the alert rules query. tools/e2e/metrics-catalog.e2e.spec.ts
 * checks each `present` one on its services' /metrics after mail went through.
 */
export function queriedCatalogNames(): Set<string> {
  const catalog = loadMetricsCatalog();
  const expressions = [...dashboardExpressions().map(({ expr }) => expr), ...loadAlertGroups().flatMap((group) => group.rules.map((rule) => rule.expr))];
  return new Set(expressions.flatMap((expr) => metricNamesIn(expr).map((name) => catalogNameOf({ name, catalog }) ?? name)));
}
