// Helpers for the scenario loader tests: a small valid document to edit, and loading it.
import { parseScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import type { Scenario } from '../../src/scenario/types.js';

export type Doc = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, any> };

/** Two nodes, one VM: the smallest useful valid scenario. */
export function baseDoc(): Doc {
  return {
    apiVersion: 'migsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 't' },
    spec: {
      nodes: [{ name: 'node', count: 2 }],
      vms: [{ name: 'db', memory: '4Gi' }],
    },
  };
}

export function withSpec(spec: Record<string, unknown>): Doc {
  return { ...baseDoc(), spec };
}

export function load(doc: unknown): Scenario {
  return parseScenario(JSON.stringify(doc), 't.json');
}

/** The problems of a document as {path, message}, or [] if it loads. */
export function problems(doc: unknown): { path: string; message: string }[] {
  try {
    load(doc);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.issues.map(({ path, message }) => ({ path, message }));
  }
}

/** Loads YAML text, expecting it to fail; returns the ScenarioError. */
export function yamlError(text: string, source = 'scenarios/x.yaml'): ScenarioError {
  try {
    parseScenario(text, source);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}
