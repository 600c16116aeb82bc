import * as kubernetesModels from 'kubernetes-models';
import * as prometheusOperatorModels from '@kubernetes-models/prometheus-operator';

/** A rendered Kubernetes object, as parsed from YAML. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: object): { validate(): void };
}

/** Every model class of the Kubernetes API and of prometheus-operator's CRDs, by "apiVersion/kind". */
function collectModels(): Map<string, ModelClass> {
  const models = new Map<string, ModelClass>();
  const walk = (namespace: object, depth: number): void => {
    for (const value of Object.values(namespace) as unknown[]) {
      if (typeof value === 'function' && 'apiVersion' in value && 'kind' in value) {
        const model = value as unknown as ModelClass;
        models.set(`${model.apiVersion}/${model.kind}`, model);
      } else if (value && typeof value === 'object' && depth < 4) walk(value, depth + 1);
    }
  };
  walk(kubernetesModels, 0);
  walk(prometheusOperatorModels, 0);
  return models;
}

let models: Map<string, ModelClass> | undefined;

/**
 * Validates one manifest offline against the JSON schema of its kind (from the Kubernetes OpenAPI
 * document, shipped in kubernetes-models): types, required fields, enums and formats. Returns the
 * problems, none when valid; an apiVersion/kind the API does not know is a problem too.
 */
export function validateManifest(manifest: Manifest): string[] {
  models ??= collectModels();
  const model = models.get(`${manifest.apiVersion}/${manifest.kind}`);
  if (!model) return [`${manifest.apiVersion} ${manifest.kind} is not a known Kubernetes or prometheus-operator kind`];
  try {
    new model(manifest).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}
