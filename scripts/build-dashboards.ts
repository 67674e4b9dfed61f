/** npm run dashboards: writes the dashboards of scripts/grafana-dashboards.ts to deploy/grafana/dashboards/<uid>.json. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, dashboardJson } from './grafana-dashboards';

const dir = join(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards');
for (const dashboard of DASHBOARDS) {
  writeFileSync(join(dir, `${dashboard.uid}.json`), dashboardJson(dashboard));
  console.log(`deploy/grafana/dashboards/${dashboard.uid}.json: ${dashboard.panels.length} panels`);
}
