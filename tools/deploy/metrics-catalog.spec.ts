import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogNameOf, dashboardExpressions, loadAlertGroups, loadDashboard, loadMetricsCatalog, metricNamesIn, promqlErrors, queriedCatalogNames } from './metrics-catalog.util';
import { vectorMatchingProblems } from './promql-vector-matching.util';

const root = resolve(__dirname, '..', '..');
const catalog = loadMetricsCatalog();
const groups = loadAlertGroups();
const rules = groups.flatMap((group) => group.rules);

/** The production sources of services and libs (what registers metrics). */
function productionSources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'gen' ? [] : productionSources(path);
    return entry.endsWith('.ts') && !entry.endsWith('.spec.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('deploy/metrics-catalog.json', () => {
  it('should name each metric once, mailbus metrics with the mailbus_ prefix and the usual suffixes', () => {
    expect(new Set(catalog.map((metric) => metric.name)).size).toBe(catalog.length);
    for (const metric of catalog.filter((entry) => entry.source === 'mailbus')) {
      expect(metric.name, metric.name).toMatch(/^mailbus_[a-z0-9_]+$/);
      if (metric.type === 'counter') expect(metric.name).toMatch(/_total$/);
      else expect(metric.name, metric.name).not.toMatch(/_total$/);
      if (metric.type === 'histogram') expect(metric.name).toMatch(/_seconds$/);
    }
  });

  it('should have no per-account or per-user labels (100,000 accounts must not become 100,000 series)', () => {
    for (const metric of catalog)
      expect(
        metric.labels.filter((label) => /account|user|mailbox|email|address|message/i.test(label)),
        metric.name,
      ).toEqual([]);
  });

  it('should mark as present exactly the mailbus metrics that the code registers today', () => {
    const sources = [...productionSources(resolve(root, 'libs')), ...productionSources(resolve(root, 'services'))].join('\n');
    for (const metric of catalog.filter((entry) => entry.source === 'mailbus')) {
      const registered = sources.includes(`name: '${metric.name}'`);
      expect(registered ? 'present' : 'planned', `${metric.name}: registered in the code ${registered ? 'but' : 'but not'} marked ${metric.status}`).toBe(metric.status);
    }
  });

  it('should be used: every catalog entry is queried by the dashboard or an alert rule', () => {
    const queried = queriedCatalogNames();
    expect(catalog.map((metric) => metric.name).filter((name) => !queried.has(name))).toEqual([]);
  });
});

describe('deploy/prometheus/alerts.yaml', () => {
  it('should be a rule file of named groups with uniquely named alerts', () => {
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups.map((group) => group.name)).size).toBe(groups.length);
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))('%s should be a well-formed alerting rule in valid PromQL', (_name, rule) => {
    expect(Object.keys(rule).filter((key) => !['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(key))).toEqual([]);
    expect(rule.alert).toMatch(/^Mailbus[A-Z][A-Za-z]+$/);
    if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
    expect(rule.annotations.summary).toBeTruthy();
    expect(rule.annotations.description).toBeTruthy();
    expect(rule.annotations.runbook).toBe(`README.md, Runbook: ${rule.alert}`);
    expect(promqlErrors(rule.expr)).toEqual([]);
    // Annotation templates are Go templates: balanced braces, only $labels and $value.
    for (const text of Object.values(rule.annotations)) {
      expect(text.split('{{').length, text).toBe(text.split('}}').length);
      for (const [, inner] of text.matchAll(/\{\{(.*?)\}\}/g)) expect(inner, text).toMatch(/^\s*\$(labels\.\w+|value)(\s*\|\s*\w+)?\s*$/);
    }
  });

  // promtool is not at hand: a rule whose sides never match evaluates to nothing and never fires.
  it.each(rules.map((rule) => [rule.alert, rule] as const))('%s should pair the sides of every binary operation', (_name, rule) => {
    expect(vectorMatchingProblems(rule.expr)).toEqual([]);
  });

  it('should compare each error class of MailbusFetchErrorsSurge with all fetch runs, not with runs of the same class', () => {
    const surge = rules.find((rule) => rule.alert === 'MailbusFetchErrorsSurge');
    expect(surge?.expr).toMatch(/^sum by \(class\) \(rate\(mailbus_fetch_run_errors_total\{[^}]*\}\[10m\]\)\) \/ ignoring\s*\(class\) group_left clamp_min\(sum\(rate\(mailbus_fetch_run_duration_seconds_count\[10m\]\)\), 0\.001\) > 0\.5$/);
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))('%s should query only metrics of the catalog', (_name, rule) => {
    expect(metricNamesIn(rule.expr).filter((name) => !catalogNameOf({ name, catalog }))).toEqual([]);
  });

  it('should cover accounts failing, backlog growing, dead-lettered events, send failures and a service down', () => {
    const names = rules.map((rule) => rule.alert);
    for (const alert of ['MailbusAccountsFailing', 'MailbusFetchBacklogGrowing', 'MailbusEventBacklogGrowing', 'MailbusEventsDeadLettered', 'MailbusSendFailures', 'MailbusServiceDown'])
      expect(names).toContain(alert);
  });

  it('should have a runbook section in the README for each alert', () => {
    const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
    for (const rule of rules) expect(readme, rule.alert).toContain(`#### Runbook: ${rule.alert}\n`);
  });
});

describe('deploy/grafana/mailbus-dashboard.json', () => {
  const expressions = dashboardExpressions();

  it('should be a dashboard with a Prometheus datasource variable and unique panel ids', () => {
    const dashboard = loadDashboard() as unknown as { uid: string; title: string; panels: { id: number }[]; templating: { list: { name: string; type: string }[] } };
    expect(dashboard.uid).toBe('mailbus-overview');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    expect(expressions.length).toBeGreaterThan(20);
  });

  it('should use valid PromQL in every query', () => {
    expect(expressions.flatMap(({ where, expr }) => promqlErrors(expr).map((error) => `${where}: ${error}`))).toEqual([]);
  });

  it('should pair the sides of every binary operation', () => {
    expect(expressions.flatMap(({ where, expr }) => vectorMatchingProblems(expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m')).map((problem) => `${where}: ${problem}`))).toEqual([]);
  });

  it('should query only metrics of the catalog', () => {
    expect(
      expressions.flatMap(({ where, expr }) =>
        metricNamesIn(expr)
          .filter((name) => !catalogNameOf({ name, catalog }))
          .map((name) => `${where}: ${name}`),
      ),
    ).toEqual([]);
  });

  it('should show ingest, lag, errors by class, accounts in error, JetStream pending, outbox, send failures, spam moves and service health', () => {
    const queried = queriedCatalogNames();
    const shown = new Set(expressions.flatMap(({ expr }) => metricNamesIn(expr).map((name) => catalogNameOf({ name, catalog }) ?? name)));
    for (const name of [
      'mailbus_fetch_messages_total',
      'mailbus_fetch_schedule_lag_seconds',
      'mailbus_fetch_run_errors_total',
      'mailbus_fetch_accounts',
      'mailbus_jetstream_consumer_pending',
      'mailbus_outbox_items',
      'mailbus_send_failures_total',
      'mailbus_spam_moves_total',
      'up',
    ]) {
      expect(shown.has(name), name).toBe(true);
      expect(queried.has(name)).toBe(true);
    }
  });

  it('should aggregate fleet-wide gauges with max(), never sum()', () => {
    const fleetGauges = catalog.filter((metric) => metric.help.includes('use max()')).map((metric) => metric.name);
    const all = [...expressions.map(({ expr }) => expr), ...rules.map((rule) => rule.expr)];
    for (const expr of all) for (const name of fleetGauges) expect(expr, expr).not.toMatch(new RegExp(`sum(\\s+by\\s*\\([^)]*\\))?\\s*\\(\\s*${name}\\b`));
  });
});
