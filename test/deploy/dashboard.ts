import { readRepoFile } from '../infra/infra-files';

export interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/** deploy/grafana/sqlprobe.json, as far as the tests read it. */
export const dashboard = JSON.parse(readRepoFile('deploy/grafana/sqlprobe.json')) as { panels: Panel[]; templating: { list: { name: string }[] } };

/** Every PromQL query of every panel, with Grafana's variables in it. */
export const dashboardQueries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Grafana's variables replaced by values of their kind, so a query is plain PromQL. */
export const asPromql = (expr: string, range = '1d', interval = '5m'): string =>
  expr.replaceAll('$__range', range).replaceAll('$__interval', interval).replaceAll('$percentile', '0.95').replaceAll('$target', '.*');
