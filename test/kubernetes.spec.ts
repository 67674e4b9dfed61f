import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const manifests = join(root, 'deploy', 'kubernetes');

/** Runs the validator on a folder: its exit code and what it printed. */
function validate(dir: string): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [join(root, 'scripts', 'validate-kubernetes.mjs'), dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stderr: string; stdout: string };
    return { code: failed.status, output: failed.stderr + failed.stdout };
  }
}

/** A copy of the manifests with one file edited. */
function broken(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ilot-k8s-'));
  cpSync(manifests, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

describe('deploy/kubernetes, checked against the Kubernetes API schemas (kubernetes-models)', () => {
  it('is valid: replicated apps with probes, requests and disruption budgets, TimescaleDB, Mosquitto, EMQX', () => {
    const { code, output } = validate(manifests);
    expect(output).toMatch(
      /deploy\/kubernetes: 22 objects valid \(ConfigMap, Deployment, Namespace, PodDisruptionBudget, Secret, Service, StatefulSet\)/,
    );
    expect(code).toBe(0);
  });

  it.each([
    [
      'a port that is not a number (schema)',
      'ingestion.yaml',
      (t: string) => t.replace('containerPort: 3000', "containerPort: 'three thousand'"),
      /ingestion\.yaml: StatefulSet ingestion: .*containerPort must be integer/,
    ],
    [
      'a kind the API does not have',
      'metrics.yaml',
      (t: string) => t.replace('kind: Service', 'kind: Servise'),
      /metrics\.yaml: v1 Servise is not a kind of the Kubernetes API/,
    ],
    [
      'a container without its readiness probe',
      'optimiser.yaml',
      (t: string) => t.replace('readinessProbe:', 'startupProbe:'),
      /optimiser\.yaml: Deployment optimiser, container optimiser: no readinessProbe/,
    ],
    [
      'a Deployment no PodDisruptionBudget covers',
      'optimiser.yaml',
      (t: string) => t.replace(/---\napiVersion: policy\/v1[\s\S]*$/, ''),
      /optimiser\.yaml: Deployment optimiser: no PodDisruptionBudget selects its pods/,
    ],
    [
      'a token written in the manifest',
      'api.yaml',
      (t: string) =>
        t.replace(
          /- name: ILOT_OPERATOR_TOKEN\n\s+valueFrom: \{ secretKeyRef: \{ name: ilot-secrets, key: ILOT_OPERATOR_TOKEN \} \}/,
          "- { name: ILOT_OPERATOR_TOKEN, value: 'plain-text' }",
        ),
      /api\.yaml: Deployment api, container api: ILOT_OPERATOR_TOKEN is written in the manifest/,
    ],
    [
      'a Secret key nobody defined',
      'secrets.yaml',
      (t: string) => t.replace('ILOT_MQTT_URL_OPTIMISER:', 'ILOT_MQTT_URL_PLANNER:'),
      /optimiser\.yaml: Deployment optimiser, container optimiser: ILOT_MQTT_URL refers to ilot-secrets\/ILOT_MQTT_URL_OPTIMISER, which no Secret here defines/,
    ],
  ])('refuses %s, naming the file, the object and the field', (_, file, edit, reason) => {
    const { code, output } = validate(broken(file, edit));
    expect(code).toBe(1);
    expect(output).toMatch(reason);
  });
});
