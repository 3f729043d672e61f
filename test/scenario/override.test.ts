// Overrides by path on the raw document: the same Scenario (and the same simulation) as the edited
// document, for every value the loader derives; clear errors for paths that do not fit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ScenarioError } from '../../src/scenario/errors.js';
import { applyOverrides, loadScenarioFile, loadScenarioObject, parseScenario } from '../../src/scenario/load.js';
import { parseOverride } from '../../src/scenario/override.js';
import { MiB } from '../../src/scenario/units.js';
import { simulate } from '../../src/sim/simulation.js';
import { baseDoc, type Doc } from './doc.js';

const root = join(import.meta.dirname, '..', '..');

const policy = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'migrations.kubevirt.io/v1alpha1',
  kind: 'MigrationPolicy',
  metadata: { name },
  spec,
});

function errorOf(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('paths and values', () => {
  const doc = (): Doc => {
    const d = baseDoc();
    d.spec['vms'] = [
      { name: 'web', memory: '1Gi' },
      { name: 'db', memory: '4Gi' },
    ];
    d.spec['nodes'] = [{ name: 'node', count: 2, labels: { 'topology.kubernetes.io/zone': 'a' } }];
    return d;
  };

  it.each<[string, string, (d: Doc) => void]>([
    ['index in brackets', 'spec.vms[1].dirtyRate=50Mi', (d) => (d.spec['vms'][1].dirtyRate = '50Mi')],
    ['index as a dotted segment', 'spec.vms.1.dirtyRate=50Mi', (d) => (d.spec['vms'][1].dirtyRate = '50Mi')],
    ['entry selected by name', 'spec.vms[name=db].dirtyRate=50Mi', (d) => (d.spec['vms'][1].dirtyRate = '50Mi')],
    ['a quoted key with dots', 'spec.nodes[0].labels["topology.kubernetes.io/zone"]=b', (d) => (d.spec['nodes'][0].labels['topology.kubernetes.io/zone'] = 'b')],
    ['mappings created on the way', 'spec.kubevirt.configuration.migrations.bandwidthPerMigration=256Mi', (d) => (d.spec['kubevirt'] = { configuration: { migrations: { bandwidthPerMigration: '256Mi' } } })],
    ['a whole list as a YAML flow value', 'spec.vms[0].cpuFeatures=[avx2, sse4_2]', (d) => (d.spec['vms'][0].cpuFeatures = ['avx2', 'sse4_2'])],
    ['an = in the value', 'metadata.annotations.note=a=b', (d) => (d.metadata['annotations'] = { note: 'a=b' })],
  ])('%s: %s', (_, override, edit) => {
    const expected = doc();
    edit(expected);
    expect(applyOverrides(doc(), [override])).toEqual(expected);
  });

  // The value is read as YAML, so it means what it would mean in a file.
  it.each<[string, unknown]>([
    ['true', true],
    ['false', false],
    ['5', 5],
    ['1.5', 1.5],
    ['256Mi', '256Mi'],
    ['1h', '1h'],
    ['"5"', '5'],
    ['v1.10', 'v1.10'],
    ['null', null],
    ['', null],
    ['{a: 1}', { a: 1 }],
  ])('%j → %j', (text, value) => {
    expect(parseOverride(`spec.x=${text}`).value).toEqual(value);
  });

  it('later overrides win; the input document is not modified and untouched parts are shared', () => {
    const d = doc();
    const before = structuredClone(d);
    const out = applyOverrides(d, ['spec.seed=1', 'spec.vms[0].cpu=2', 'spec.seed=2']) as Doc;
    expect(d).toEqual(before);
    expect(out.spec['seed']).toBe(2);
    expect(out.spec['vms'][0]).toEqual({ name: 'web', memory: '1Gi', cpu: 2 });
    // copy on write: only the containers along the paths are new
    expect(out.spec['vms'][1]).toBe(d.spec['vms'][1]);
    expect(out.spec['nodes']).toBe(d.spec['nodes']);
    expect(out.metadata).toBe(d.metadata);
  });

  it.each<[string, string]>([
    ['spec.seed', '--set spec.seed: expected PATH=VALUE, e.g. spec.kubevirt.configuration.migrations.bandwidthPerMigration=256Mi'],
    ['=5', '--set =5: expected a path before =, e.g. spec.seed=7'],
    ['spec..seed=5', '--set spec..seed=5: empty or malformed path segment at character 6; expected a path such as spec.vms[0].dirtyRate'],
    ['spec.vms[0=5', '--set spec.vms[0=5: unclosed [ in the path'],
    ['spec.vms[-1].cpu=2', '--set spec.vms[-1].cpu=2: malformed [-1]; expected an index [0], a selector [name=db] or a quoted key ["a.b"]'],
    ['spec.vms[3].cpu=2', '--set spec.vms[3].cpu=2: spec.vms has 2 entries; there is no [3]'],
    ['spec.vms[name=cache].cpu=2', '--set spec.vms[name=cache].cpu=2: no entry of spec.vms has name "cache" (names: "web", "db")'],
    ['spec.vms.db.cpu=2', '--set spec.vms.db.cpu=2: spec.vms is a list: select an entry with [0] or [name=…], not .db'],
    ['spec.nodes[0].count.max=3', '--set spec.nodes[0].count.max=3: spec.nodes[0].count is 2 (a number), not a mapping: cannot set .max in it'],
    ['metadata[0]=x', '--set metadata[0]=x: metadata is a mapping, not a list: cannot select [0]'],
    ['spec.racks[0].uplink=1Gbit', '--set spec.racks[0].uplink=1Gbit: spec.racks is absent, not a list: cannot select [0]'],
    ['spec.seed=[1', '--set spec.seed=[1: the value is not valid YAML: Flow sequence must end with a ]'],
  ])('%s is refused', (override, message) => {
    expect(errorOf(() => loadScenarioObject(doc(), { file: 't.yaml', overrides: [override] })).format()).toBe(message);
  });

  it('a selector that matches several entries asks for an index', () => {
    const d = doc();
    d.spec['vms'].push({ name: 'db', namespace: 'prod', memory: '1Gi' });
    expect(errorOf(() => loadScenarioObject(d, { file: 't.yaml', overrides: ['spec.vms[name=db].cpu=2'] })).format()).toBe(
      '--set spec.vms[name=db].cpu=2: 2 entries of spec.vms have name "db" ([1], [2]); select one by index',
    );
  });

  it('selects manifests by metadata.name', () => {
    const d = doc();
    d.spec['migrationPolicies'] = [policy('slow'), policy('fast')];
    const out = applyOverrides(d, ['spec.migrationPolicies[name=fast].spec.allowPostCopy=true']) as Doc;
    expect(out.spec['migrationPolicies'][1].spec).toEqual({ allowPostCopy: true });
  });
});

describe('problems of an overridden value name the override', () => {
  it.each<[string, string[], string]>([
    ['a bad value', ['spec.vms[0].memory=8GG'], '--set spec.vms[0].memory=8GG: expected a Kubernetes quantity such as 8Gi, got "8GG"'],
    ['the same entry by name', ['spec.vms[name=db].memory=8GG'], '--set spec.vms[name=db].memory=8GG: expected a Kubernetes quantity such as 8Gi, got "8GG"'],
    [
      'a misspelt field',
      ['spec.kubevirt.configuration.migrations.bandwidthPerMigraton=256Mi'],
      '--set spec.kubevirt.configuration.migrations.bandwidthPerMigraton=256Mi: unknown field (did you mean "bandwidthPerMigration"?)',
    ],
    [
      'a misspelt section on the way',
      ['spec.kubevirt.configuraton.migrations.allowPostCopy=true'],
      '--set spec.kubevirt.configuraton.migrations.allowPostCopy=true: spec.kubevirt.configuraton: unknown field (did you mean "configuration"?)',
    ],
    ['a problem inside a value set as a whole', ['spec.vms[0]={name: db, memory: 1Gi, cpus: 2}'], '--set spec.vms[0]={name: db, memory: 1Gi, cpus: 2}: spec.vms[0].cpus: unknown field (did you mean "cpu"?)'],
    ['a reference to a name that does not exist', ['spec.vms[0].node=node-9'], '--set spec.vms[0].node=node-9: unknown node "node-9"'],
    // the last override that set the field is the one named
    ['twice', ['spec.seed=1', 'spec.seed=1.5'], '--set spec.seed=1.5: expected a whole number, got 1.5'],
  ])('%s', (_, overrides, message) => {
    expect(errorOf(() => loadScenarioObject(baseDoc(), { file: 't.yaml', overrides })).format()).toBe(message);
  });

  it('a problem of the file keeps its position; one of the override has none', () => {
    const text = 'apiVersion: migsim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n  nodes:\n    - {name: node, count: 2, memory: lots}\n  vms:\n    - {name: db, memory: 4Gi}\n';
    const e = errorOf(() => parseScenario(text, 'x.yaml', undefined, { overrides: ['spec.vms[0].cpu=-1'] }));
    expect(e.format()).toBe(
      ['x.yaml:6:38: spec.nodes[0].memory: expected a Kubernetes quantity such as 8Gi, got "lots"', '--set spec.vms[0].cpu=-1: expected a CPU amount such as 2 or 500m, got -1 (must not be negative)'].join('\n'),
    );
    expect(e.issues[1]).toEqual({ path: 'spec.vms[0].cpu', message: 'expected a CPU amount such as 2 or 500m, got -1 (must not be negative)', override: { text: 'spec.vms[0].cpu=-1', path: 'spec.vms[0].cpu' } });
  });

  it('a warning caused by an override names it too', () => {
    const d = baseDoc();
    d.spec['kubevirt'] = { version: 'v1.3' };
    d.spec['migrationPolicies'] = [policy('p')];
    const s = loadScenarioObject(d, { file: 't.yaml', overrides: ['spec.migrationPolicies[0].spec.allowWorkloadDisruption=true'] });
    expect(s.warnings).toEqual([
      '--set spec.migrationPolicies[0].spec.allowWorkloadDisruption=true: field does not exist before KubeVirt v1.5 (scenario uses v1.3): ignored, treated as false',
    ]);
  });
});

type Loaded = ReturnType<typeof loadScenarioObject>;
const run = (s: Loaded) => simulate(s).results!;

// One row per value the loader derives from what the user wrote: the override must give exactly
// the Scenario of the edited document, and the derived value must follow the override.
describe('every derived value is right after an override', () => {
  type Row = [string, string[], (d: Doc) => void, (s: ReturnType<typeof loadScenarioObject>) => unknown, unknown];
  const ROWS: Row[] = [
    // before v1.4 the completion timeout default is 800 s/GiB; before v0.44 bandwidth defaults to 64Mi
    ['version defaults: completionTimeoutPerGiB', ['spec.kubevirt.version=v1.3'], (d) => (d.spec['kubevirt'] = { version: 'v1.3' }), (s) => s.kubevirt.migrations.completionTimeoutPerGiB, 800],
    ['version defaults: bandwidthPerMigration', ['spec.kubevirt.version=v0.43'], (d) => (d.spec['kubevirt'] = { version: 'v0.43' }), (s) => s.kubevirt.migrations.bandwidthPerMigration, 64 * MiB],
    // a policy that sets allowPostCopy but not allowWorkloadDisruption copies it (v1.5 and later)…
    [
      'allowWorkloadDisruption follows a policy allowPostCopy',
      ['spec.migrationPolicies[name=p].spec.allowPostCopy=true'],
      (d) => (d.spec['migrationPolicies'][0].spec.allowPostCopy = true),
      (s) => s.migrationPolicies[0]!.allowWorkloadDisruption,
      true,
    ],
    // …and before v1.5 the field does not exist: false
    [
      'allowWorkloadDisruption before v1.5',
      ['spec.kubevirt.version=v1.4', 'spec.migrationPolicies[name=p].spec.allowPostCopy=true'],
      (d) => {
        d.spec['kubevirt'] = { version: 'v1.4' };
        d.spec['migrationPolicies'][0].spec.allowPostCopy = true;
      },
      (s) => s.migrationPolicies[0]!.allowWorkloadDisruption,
      false,
    ],
    // virt-launcher: round(1.5) = 2 MiB; below 1 MiB → 1 MiB; 0 stays unlimited
    ['bandwidth rounding, 1.5Mi', ['spec.kubevirt.configuration.migrations.bandwidthPerMigration=1.5Mi'], (d) => (d.spec['kubevirt'] = { configuration: { migrations: { bandwidthPerMigration: '1.5Mi' } } }), (s) => s.kubevirt.migrations.bandwidthPerMigration, 2 * MiB],
    ['bandwidth rounding, 100Ki', ['spec.kubevirt.configuration.migrations.bandwidthPerMigration=100Ki'], (d) => (d.spec['kubevirt'] = { configuration: { migrations: { bandwidthPerMigration: '100Ki' } } }), (s) => s.kubevirt.migrations.bandwidthPerMigration, MiB],
    ['bandwidth rounding in a policy', ['spec.migrationPolicies[name=p].spec.bandwidthPerMigration=2.4Mi'], (d) => (d.spec['migrationPolicies'][0].spec.bandwidthPerMigration = '2.4Mi'), (s) => s.migrationPolicies[0]!.bandwidthPerMigration, 2 * MiB],
    // a migration network gives every node a second NIC, of migrationNetwork's speed (else the pod NIC's): 10Gbit = 1.25e9 B/s, 25Gbit = 3.125e9 B/s
    [
      'migration-network NICs',
      ['spec.kubevirt.configuration.migrations.network=migration', 'spec.nodes[0].migrationNetwork=25Gbit'],
      (d) => {
        d.spec['kubevirt'] = { configuration: { migrations: { network: 'migration' } } };
        d.spec['nodes'][0].migrationNetwork = '25Gbit';
      },
      (s) => s.nodes.map((n) => n.nics),
      [
        { pod: 1.25e9, migration: 3.125e9 },
        { pod: 1.25e9, migration: 3.125e9 },
      ],
    ],
  ];

  it.each(ROWS)('%s', (_, overrides, edit, derived, value) => {
    const doc = (): Doc => {
      const d = baseDoc();
      d.spec['nodes'][0].network = '10Gbit';
      d.spec['migrationPolicies'] = [policy('p')];
      d.spec['vms'][0] = { name: 'db', memory: '4Gi', dirtyRate: '100Mi', workingSet: '1Gi' };
      d.spec['operations'] = [{ at: '1s', migrate: { vmi: 'db' } }];
      return d;
    };
    const edited = doc();
    edit(edited);
    const viaOverride = loadScenarioObject(doc(), { file: 't.yaml', overrides });
    const fromEdited = loadScenarioObject(edited, { file: 't.yaml' });
    expect(viaOverride).toEqual(fromEdited);
    expect(derived(viaOverride)).toEqual(value);
    const results = run(viaOverride);
    expect(results.migrations).toHaveLength(1);
    expect(results).toEqual(run(fromEdited));
  });

  it('allowPostCopy switches the non-converging migration to post-copy, as the edited file does', () => {
    // scenarios/single-migration.yaml: 200Mi/s into a 2Gi working set over a 64Mi/s cap never
    // converges; at the completion timeout (150 s × ceil(8Gi / 1e9 B) = 1350 s) KubeVirt aborts it,
    // or, with allowPostCopy, switches it to post-copy and it succeeds.
    const file = join(root, 'scenarios', 'single-migration.yaml');
    const set = 'spec.kubevirt.configuration.migrations.allowPostCopy=true';
    const doc = parseYaml(readFileSync(file, 'utf8'));
    doc.spec.kubevirt.configuration.migrations.allowPostCopy = true;
    const viaOverride = loadScenarioFile(file, { overrides: [set] });
    const edited = loadScenarioObject(doc, { file });
    expect(viaOverride).toEqual(edited);
    const a = run(viaOverride);
    expect(a).toEqual(run(edited));
    const db = (r: typeof a) => r.migrations.find((m) => m.vmi === 'prod/db')!;
    expect(db(a)).toMatchObject({ mode: 'PostCopy', phase: 'Succeeded' });
    expect(db(run(loadScenarioFile(file)))).toMatchObject({ mode: 'PreCopy', phase: 'Failed', reason: 'CompletionTimeout' });
  });
});

describe('the loaded scenario is immutable', () => {
  const s = loadScenarioObject(baseDoc(), { file: 't.yaml' });

  it.each<[string, () => void]>([
    ['a top-level field', () => ((s as { seed: number }).seed = 2)],
    ['the cluster configuration', () => ((s.kubevirt.migrations as { allowPostCopy: boolean }).allowPostCopy = true)],
    ['a VM', () => ((s.vms[0] as { memory: number }).memory = 1)],
    ['a list', () => s.nodes.push(s.nodes[0]!)],
    ['a node label', () => (s.nodes[0]!.labels['x'] = 'y')],
    ['the warnings', () => s.warnings.push('x')],
  ])('changing %s throws', (_, mutate) => {
    expect(mutate).toThrow(TypeError);
  });

  it('the document it was loaded from stays writable', () => {
    const d = baseDoc();
    loadScenarioObject(d, { file: 't.yaml' });
    d.spec['vms'][0].memory = '8Gi';
    d.spec['nodes'].push({ name: 'extra' });
    expect(Object.isFrozen(d.spec['vms'][0])).toBe(false);
  });
});
