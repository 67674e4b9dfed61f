// node scripts/validate-kubernetes.mjs [DIR]: every manifest of deploy/kubernetes (or DIR) checked against the
// Kubernetes API schemas (the kubernetes-models package: the Kubernetes 1.27 OpenAPI schemas, whose apps/v1, policy/v1
// and v1 kinds used here are the same in every release since), then against what a production deploy of Îlot must
// keep: probes on every container, resource requests, a PodDisruptionBudget for every Deployment, passwords and tokens
// only from a Secret, and every Secret key referred to defined. Prints each problem and exits 1, or says what it checked.
// An ES module: each kind's model is imported by its API group and version (top-level await).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const dir = process.argv[2] ?? 'deploy/kubernetes';
const problems = [];
const objects = [];
for (const file of readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort())
  for (const [i, doc] of parseAllDocuments(readFileSync(join(dir, file), 'utf8')).entries()) {
    if (doc.errors.length > 0) problems.push(`${file} (document ${i + 1}): not valid YAML: ${doc.errors[0].message}`);
    else if (doc.toJS()) objects.push({ file, value: doc.toJS() });
  }

const name = ({ file, value }) => `${file}: ${value.kind} ${value.metadata?.name ?? '(no name)'}`;
for (const object of objects) {
  const { apiVersion = '', kind } = object.value;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  let Model;
  try {
    Model = (await import(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`))[kind];
  } catch {
    problems.push(`${object.file}: ${apiVersion} ${kind} is not a kind of the Kubernetes API`);
    continue;
  }
  try {
    new Model(object.value).validate();
  } catch (error) {
    problems.push(`${name(object)}: ${error.message}`);
  }
}

const secretKeys = new Map(
  objects
    .filter((o) => o.value.kind === 'Secret')
    .map((o) => [o.value.metadata.name, new Set(Object.keys({ ...o.value.data, ...o.value.stringData }))]),
);
const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.value.kind));
const budgets = objects.filter((o) => o.value.kind === 'PodDisruptionBudget');
const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v) &&
  Object.keys(selector?.matchLabels ?? {}).length > 0;
for (const workload of workloads) {
  const pod = workload.value.spec?.template;
  for (const container of pod?.spec?.containers ?? []) {
    const where = `${name(workload)}, container ${container.name}`;
    if (!container.readinessProbe) problems.push(`${where}: no readinessProbe`);
    if (!container.livenessProbe) problems.push(`${where}: no livenessProbe`);
    if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory)
      problems.push(`${where}: no resources.requests (cpu and memory)`);
    for (const env of container.env ?? []) {
      if (/PASSWORD|TOKEN|SECRET|DATABASE_URL/.test(env.name) && env.value !== undefined)
        problems.push(`${where}: ${env.name} is written in the manifest: take it from a Secret (secretKeyRef)`);
      const ref = env.valueFrom?.secretKeyRef;
      if (ref && !secretKeys.get(ref.name)?.has(ref.key))
        problems.push(`${where}: ${env.name} refers to ${ref.name}/${ref.key}, which no Secret here defines`);
    }
  }
  if (
    workload.value.kind === 'Deployment' &&
    !budgets.some((b) => matches(b.value.spec?.selector, pod?.metadata?.labels))
  )
    problems.push(`${name(workload)}: no PodDisruptionBudget selects its pods`);
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
const kinds = [...new Set(objects.map((o) => o.value.kind))].sort().join(', ');
console.log(`${dir}: ${objects.length} objects valid (${kinds})`);
