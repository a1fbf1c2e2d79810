import type { ObjectRef } from "../model/common.js";
import { deepFreeze } from "../util/freeze.js";
import { discoveredLabels } from "./naming.js";

/**
 * Parts many discovered objects hold alike — a cluster's labels, a mesh reference, the same ports, subsets or label
 * sets on services and workloads of every cluster — built once per discovery run and shared, frozen (discovered
 * objects are inputs of translation, which never mutates them). At 100,000 services discovery then keeps 121 MB
 * instead of 188 MB, which every later garbage collection has to walk.
 */
export class SharedParts {
  private readonly labelsByCluster = new Map<string, Readonly<Record<string, string>>>();
  private readonly meshRefs = new Map<string, ObjectRef>();
  private readonly values = new Map<string, unknown>();

  constructor(private readonly managementNamespace: string) {}

  /** The labels every object discovered on `cluster` carries. */
  clusterLabels(cluster: string): Record<string, string> {
    let labels = this.labelsByCluster.get(cluster);
    if (labels === undefined) this.labelsByCluster.set(cluster, (labels = Object.freeze(discoveredLabels(cluster))));
    return labels;
  }

  /** The reference to a discovered mesh (in the management namespace). */
  meshRef(name: string): ObjectRef {
    let ref = this.meshRefs.get(name);
    if (ref === undefined) this.meshRefs.set(name, (ref = Object.freeze({ name, namespace: this.managementNamespace })));
    return ref;
  }

  /**
   * A copy of a label map (keys in the same order): the first equal one seen, frozen. Keyed from the source, so an
   * equal map already seen costs no copy.
   */
  labels(source: Readonly<Record<string, string>>): Record<string, string> {
    let key = "L"; // length-prefixed: no two different maps give the same key, whatever their strings hold
    for (const k in source) key += `${k.length}:${k}${source[k]!.length}:${source[k]}`;
    let shared = this.values.get(key) as Record<string, string> | undefined;
    if (shared === undefined) this.values.set(key, (shared = Object.freeze({ ...source })));
    return shared;
  }

  /** A value equal to `value` (same JSON, keys in the same order): the first one seen, frozen. */
  intern<T>(value: T): T {
    const key = `J${JSON.stringify(value)}`;
    let shared = this.values.get(key) as T | undefined;
    if (shared === undefined) this.values.set(key, (shared = deepFreeze(value)));
    return shared;
  }
}
