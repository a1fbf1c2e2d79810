/**
 * Where the engine keeps what it emits: one {@link Slot} per object identity (cluster, kind, apiVersion, namespace,
 * name), found through nested maps keyed by the object's own strings. No key string is built per object, and the
 * emit order comes from sorting the few keys of each level rather than one long key per object.
 */
import { compareStrings } from "../codec/canonical.js";
import type { KubeObject } from "../model/common.js";
import { sortedKeys } from "../util/arrays.js";

/** Identity of an emitted object inside one cluster. */
export interface ObjectId {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * One emitted identity in one cluster: its contributions by contributor, and the object assembled from them. Nearly
 * every identity has one contributor, held inline; a map is made only for a second one (a slot per emitted object).
 */
export class Slot {
  contributor: string | undefined;
  object: KubeObject | undefined;
  more: Map<string, KubeObject> | undefined;
  final: KubeObject | undefined;

  constructor(
    readonly cluster: string,
    readonly kind: string,
    readonly apiVersion: string,
    /** "" for cluster-scoped objects. */
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** Records a contribution; a contributor's first object for an identity is kept. */
  add(contributor: string, object: KubeObject): void {
    if (this.contributor === contributor || this.more?.has(contributor)) return;
    if (this.contributor === undefined) {
      this.contributor = contributor;
      this.object = object;
    } else (this.more ??= new Map()).set(contributor, object);
  }

  /** Drops a contributor's object; true when it had one. */
  remove(contributor: string): boolean {
    if (this.contributor !== contributor) return this.more?.delete(contributor) ?? false;
    this.contributor = undefined;
    this.object = undefined;
    return true;
  }

  size(): number {
    return (this.contributor !== undefined ? 1 : 0) + (this.more?.size ?? 0);
  }

  entries(): [string, KubeObject][] {
    const out: [string, KubeObject][] = this.contributor !== undefined ? [[this.contributor, this.object!]] : [];
    for (const e of this.more ?? []) out.push(e);
    return out;
  }

  id(): ObjectId {
    return { apiVersion: this.apiVersion, kind: this.kind, ...(this.namespace ? { namespace: this.namespace } : {}), name: this.name };
  }

  /** `cluster\0kind\0namespace\0name\0apiVersion`: the identity as one string, for diffs across rebuilds. */
  token(): string {
    return [this.cluster, this.kind, this.namespace, this.name, this.apiVersion].join("\u0000");
  }
}

/** The emit order: (cluster, kind, namespace, name, apiVersion) by code unit, as `compareObjects` within a cluster. */
export function compareSlots(a: Slot, b: Slot): number {
  return compareStrings(a.cluster, b.cluster) || compareStrings(a.kind, b.kind) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.apiVersion, b.apiVersion);
}

type Names = Map<string, Slot>;
type Namespaces = Map<string, Names>;
type Versions = Map<string, Namespaces>;
type Kinds = Map<string, Versions>;

/** Every slot, by cluster → kind → apiVersion → namespace → name. */
export class SlotTable {
  private readonly clusters = new Map<string, Kinds>();
  /** How many slots the table holds: {@link sorted} fills an array of this size instead of growing one. */
  private count = 0;

  get(cluster: string, o: KubeObject): Slot | undefined {
    return this.clusters.get(cluster)?.get(o.kind)?.get(o.apiVersion)?.get(o.metadata.namespace ?? "")?.get(o.metadata.name);
  }

  /** The slot of an identity, made when absent (no closures: this runs once per emitted object). */
  obtain(cluster: string, o: KubeObject): Slot {
    const namespace = o.metadata.namespace ?? "";
    let kinds = this.clusters.get(cluster);
    if (!kinds) this.clusters.set(cluster, (kinds = new Map()));
    let versions = kinds.get(o.kind);
    if (!versions) kinds.set(o.kind, (versions = new Map()));
    let namespaces = versions.get(o.apiVersion);
    if (!namespaces) versions.set(o.apiVersion, (namespaces = new Map()));
    let names = namespaces.get(namespace);
    if (!names) namespaces.set(namespace, (names = new Map()));
    let slot = names.get(o.metadata.name);
    if (!slot) {
      names.set(o.metadata.name, (slot = new Slot(cluster, o.kind, o.apiVersion, namespace, o.metadata.name)));
      this.count++;
    }
    return slot;
  }

  /** Removes a slot, and the maps it leaves empty. */
  delete(slot: Slot): void {
    const kinds = this.clusters.get(slot.cluster);
    const versions = kinds?.get(slot.kind);
    const namespaces = versions?.get(slot.apiVersion);
    const names = namespaces?.get(slot.namespace);
    if (names?.get(slot.name) !== slot) return;
    names.delete(slot.name);
    this.count--;
    if (names.size > 0) return;
    namespaces!.delete(slot.namespace);
    if (namespaces!.size > 0) return;
    versions!.delete(slot.apiVersion);
    if (versions!.size > 0) return;
    kinds!.delete(slot.kind);
    if (kinds!.size === 0) this.clusters.delete(slot.cluster);
  }

  clear(): void {
    this.clusters.clear();
    this.count = 0;
  }

  /** Calls `fn` for every slot, in no particular order (plain loops: a generator allocates per slot it yields). */
  forEach(fn: (slot: Slot) => void): void {
    for (const kinds of this.clusters.values())
      for (const versions of kinds.values())
        for (const namespaces of versions.values()) for (const names of namespaces.values()) for (const slot of names.values()) fn(slot);
  }

  /** Every slot, in no particular order. */
  [Symbol.iterator](): IterableIterator<Slot> {
    const all: Slot[] = [];
    this.forEach((slot) => all.push(slot));
    return all.values();
  }

  /** Every slot in emit order (see {@link compareSlots}). */
  sorted(): Slot[] {
    const out = new Array<Slot>(this.count);
    let n = 0;
    for (const cluster of sortedKeys(this.clusters)) {
      const kinds = this.clusters.get(cluster)!;
      for (const kind of sortedKeys(kinds)) {
        const versions = kinds.get(kind)!;
        const start = n;
        for (const namespaces of versions.values()) {
          for (const namespace of sortedKeys(namespaces)) {
            const names = namespaces.get(namespace)!;
            for (const name of sortedKeys(names)) out[n++] = names.get(name)!;
          }
        }
        // One kind in two API groups (Linkerd's and the Gateway API's HTTPRoute): interleave by namespace and name.
        if (versions.size > 1) {
          const merged = out.slice(start, n).sort(compareSlots);
          for (let i = 0; i < merged.length; i++) out[start + i] = merged[i]!;
        }
      }
    }
    return out;
  }
}
