import { compareStrings } from "../codec/canonical.js";
import { STATUS_WORKLOADS_LIMIT, worseState, type ApprovalState, type ApprovalStatus, type PolicyStatus, type VirtualMeshStatus } from "../model/status.js";
import type { PolicyRef } from "./order.js";
import { policyKey } from "./selectors.js";
import { exactly, includesSorted, sortedByCodeUnit } from "../util/arrays.js";

/**
 * One destination's outcome: its bare state until a message comes (there is one per policy and destination, and most
 * never get a message), then the state with its messages.
 */
type Outcome = ApprovalState | { state: ApprovalState; readonly errors: Set<string> };

/** Error sets are created on the first error: most entries never get one. */
interface Entry {
  generation?: number;
  errors?: Set<string>;
  /**
   * Destinations accepted as selected: the selection's own sorted key lists, held as they are (a policy over the
   * whole estate adds one list here, not an entry per destination).
   */
  accepted: (readonly string[])[];
  /** Outcomes reported one by one (they override acceptance: a state only gets worse). */
  destinations: Map<string, Outcome>;
  /** Sorted, de-duplicated name lists (shared with the workload index: never mutated). */
  workloads: (readonly string[])[];
}

function stateOf(o: Outcome): ApprovalState {
  return typeof o === "string" ? o : o.state;
}

/** An outcome with another report folded in; a bare state is replaced, an outcome with messages is updated in place. */
function withReport(o: Outcome | undefined, state: ApprovalState, messages: Iterable<string> | undefined): Outcome {
  if (o === undefined) return messages === undefined ? state : { state, errors: new Set(messages) };
  if (typeof o === "string") return messages === undefined ? worseState(o, state) : { state: worseState(o, state), errors: new Set(messages) };
  o.state = worseState(o.state, state);
  if (messages !== undefined) for (const m of messages) o.errors.add(m);
  return o;
}

/** The rendered status of a destination without errors, one per state: shared (and frozen) across statuses. */
const BARE_STATUS: Readonly<Record<ApprovalState, ApprovalStatus>> = {
  ACCEPTED: Object.freeze({ state: "ACCEPTED" }),
  INVALID: Object.freeze({ state: "INVALID" }),
  CONFLICT: Object.freeze({ state: "CONFLICT" }),
};

function renderOutcome(o: Outcome): ApprovalStatus {
  return typeof o === "string" || o.errors.size === 0 ? BARE_STATUS[stateOf(o)] : { state: o.state, errors: [...o.errors].sort(compareStrings) };
}

/**
 * Collects per-policy, per-destination outcomes from every stage (selection, merge, translators) and renders
 * the final statuses. Later reports can only make a state worse, never better.
 */
export class StatusCollector {
  private readonly entries = new Map<string, Entry>();
  /** The last ref's entry: stages report many destinations for one policy in a row, each would build its key. */
  private lastRef: PolicyRef | undefined;
  private lastEntry: Entry | undefined;

  private entry(ref: PolicyRef): Entry {
    if (ref === this.lastRef) return this.lastEntry!;
    const key = `${ref.kind}/${policyKey(ref)}`;
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { accepted: [], destinations: new Map(), workloads: [] }));
    this.lastRef = ref;
    this.lastEntry = e;
    return e;
  }

  /** Registers a policy so it gets a status even when it selects nothing. */
  register(ref: PolicyRef, generation?: number): void {
    const e = this.entry(ref);
    if (generation !== undefined) e.generation = generation;
  }

  /** A policy-wide error (e.g. a reference that does not resolve): the policy is INVALID. */
  policyError(ref: PolicyRef, message: string): void {
    const e = this.entry(ref);
    (e.errors ??= new Set()).add(message);
  }

  /** Records the outcome for one destination (or, for VirtualMeshes, one mesh). */
  report(ref: PolicyRef, destinationKey: string, state: ApprovalState, message?: string): void {
    const destinations = this.entry(ref).destinations;
    const before = destinations.get(destinationKey);
    const after = withReport(before, state, message === undefined ? undefined : [message]);
    if (after !== before) destinations.set(destinationKey, after);
  }

  /** Records that a policy selected these destinations (keys sorted by code unit, no duplicates; kept, not copied). */
  accept(ref: PolicyRef, sortedKeys: readonly string[]): void {
    if (sortedKeys.length === 0) return;
    const inOrder = sortedKeys.every((k, i) => i === 0 || sortedKeys[i - 1]! < k);
    const keys = inOrder ? sortedKeys : [...new Set(sortedKeys)].sort(); // a caller broke the contract: stay correct
    const e = this.entry(ref);
    if (e.accepted.length === 0) e.accepted = [keys];
    else e.accepted.push(keys);
  }

  /** Current state for a destination (ACCEPTED when nothing was reported). */
  stateFor(ref: PolicyRef, destinationKey: string): ApprovalState {
    const o = this.entries.get(`${ref.kind}/${policyKey(ref)}`)?.destinations.get(destinationKey);
    return o === undefined ? "ACCEPTED" : stateOf(o);
  }

  /** Adds affected workloads; `sortedNames` must be sorted and free of duplicates. */
  addWorkloads(ref: PolicyRef, sortedNames: readonly string[]): void {
    if (sortedNames.length === 0) return;
    const e = this.entry(ref);
    // Most policies add one list: a literal holds it without a grown array's spare slots (see exactly()).
    if (e.workloads.length === 0) e.workloads = [sortedNames];
    else e.workloads.push(sortedNames);
  }

  /** A deep copy, to add reports to without changing this collector. */
  clone(): StatusCollector {
    const copy = new StatusCollector();
    for (const [k, e] of this.entries) {
      const destinations = new Map<string, Outcome>();
      for (const [d, o] of e.destinations) destinations.set(d, typeof o === "string" ? o : { state: o.state, errors: new Set(o.errors) });
      copy.entries.set(k, {
        ...(e.generation !== undefined ? { generation: e.generation } : {}),
        ...(e.errors ? { errors: new Set(e.errors) } : {}),
        accepted: [...e.accepted],
        destinations,
        workloads: [...e.workloads],
      });
    }
    return copy;
  }

  /** True when nothing was registered or reported. */
  isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** The subjects this collector has entries for: `Kind/name.namespace`. */
  subjects(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The status of one subject (`Kind/name.namespace`) from the entries several collectors hold for it — how an
   * incremental session assembles a policy's status from the units that reported on it.
   */
  static renderSubject(subject: string, collectors: readonly StatusCollector[]): PolicyStatus | VirtualMeshStatus | undefined {
    const parts = collectors.map((c) => c.entries.get(subject)).filter((e): e is Entry => e !== undefined);
    if (parts.length === 0) return undefined;
    const rendered = renderEntries(parts);
    if (subject.startsWith("VirtualMesh/")) {
      const { destinations, ...rest } = rendered;
      return { ...rest, meshes: destinations };
    }
    return { ...rendered, ...listedWorkloads(mergeSorted(parts.length === 1 ? parts[0]!.workloads : parts.flatMap((p) => p.workloads))) };
  }

  /** Statuses of one kind, keyed `name.namespace`, sorted. */
  policyStatuses(kind: "TrafficPolicy" | "AccessPolicy"): Record<string, PolicyStatus> {
    const out: Record<string, PolicyStatus> = {};
    for (const key of [...this.entries.keys()].filter((k) => k.startsWith(`${kind}/`)).sort(compareStrings)) {
      const e = this.entries.get(key)!;
      out[key.slice(kind.length + 1)] = { ...renderEntries([e]), ...listedWorkloads(mergeSorted(e.workloads)) };
    }
    return out;
  }

  virtualMeshStatuses(): Record<string, VirtualMeshStatus> {
    const out: Record<string, VirtualMeshStatus> = {};
    for (const key of [...this.entries.keys()].filter((k) => k.startsWith("VirtualMesh/")).sort(compareStrings)) {
      const { destinations, ...rest } = renderEntries([this.entries.get(key)!]);
      out[key.slice("VirtualMesh/".length)] = { ...rest, meshes: destinations };
    }
    return out;
  }
}

/**
 * Renders the entries several collectors hold for one subject, destinations sorted by key. One part is read in
 * place; the outcomes of several are folded into a new map (parts are never changed). Accepted lists come sorted
 * from selection, so the keys need a sort only when an outcome names a destination outside them.
 */
function renderEntries(parts: readonly Entry[]): Omit<PolicyStatus, "workloads"> {
  let generation: number | undefined;
  let policyErrors: Set<string> | undefined;
  const acceptedLists: (readonly string[])[] = [];
  for (const p of parts) {
    if (p.generation !== undefined) generation = p.generation;
    if (p.errors) for (const m of p.errors) (policyErrors ??= new Set()).add(m);
    for (const list of p.accepted) acceptedLists.push(list);
  }
  let outcomes: ReadonlyMap<string, Outcome> = parts[0]!.destinations;
  if (parts.length > 1) {
    const folded = new Map<string, Outcome>();
    for (const p of parts) for (const [k, o] of p.destinations) folded.set(k, withReport(folded.get(k), stateOf(o), typeof o === "string" ? undefined : o.errors));
    outcomes = folded;
  }
  const accepted = mergeSorted(acceptedLists);
  const unlisted: string[] = [];
  for (const k of outcomes.keys()) if (!includesSorted(accepted, k)) unlisted.push(k);
  const keys = unlisted.length === 0 ? accepted : sortedByCodeUnit([...accepted, ...unlisted]);
  const destinations: Record<string, ApprovalStatus> = {};
  let worst: ApprovalState = "ACCEPTED";
  for (const k of keys) {
    const o = outcomes.get(k);
    const status = o === undefined ? BARE_STATUS.ACCEPTED : renderOutcome(o);
    destinations[k] = status;
    worst = worseState(worst, status.state);
  }
  const errors = policyErrors ? [...policyErrors].sort(compareStrings) : [];
  return {
    state: errors.length > 0 ? "INVALID" : worst,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(errors.length > 0 ? { errors } : {}),
    destinations,
  };
}

type ListedWorkloads = Pick<PolicyStatus, "workloads" | "workloadsOmitted">;

/** The status fields for a sorted list of affected workloads, per list (shared lists share them too). */
const LISTED = new WeakMap<readonly string[], ListedWorkloads>();

/** At most {@link STATUS_WORKLOADS_LIMIT} names, and how many more there are. */
export function listedWorkloads(all: readonly string[]): ListedWorkloads {
  if (all.length <= STATUS_WORKLOADS_LIMIT) return { workloads: all as string[] };
  let listed = LISTED.get(all);
  if (!listed) LISTED.set(all, (listed = { workloads: all.slice(0, STATUS_WORKLOADS_LIMIT), workloadsOmitted: all.length - STATUS_WORKLOADS_LIMIT }));
  return listed;
}

/** A number per list object, to name a set of lists (lists are compared by identity, never by content). */
const LIST_IDS = new WeakMap<readonly string[], number>();
let nextListId = 0;

function listId(list: readonly string[]): number {
  let id = LIST_IDS.get(list);
  if (id === undefined) LIST_IDS.set(list, (id = nextListId++));
  return id;
}

/**
 * Merged lists per set of input lists, kept with the set's newest list. Workload lists are shared (the workload index
 * hands out one array per mesh and selector), so every policy over the same meshes gets the same merged array:
 * without this, policies spanning every mesh each merged (and held) the whole estate's workload names. Kept with the
 * newest list, a merge that involves a list made for one selection goes when that list does, so a long-lived session
 * does not accumulate them.
 */
const MERGED = new WeakMap<readonly string[], Map<string, readonly string[]>>();

/**
 * Merges sorted, duplicate-free lists into one (duplicates dropped); a single list is returned as is (no copy).
 * The result may be shared with other callers: it must not be mutated.
 */
export function mergeSorted(lists: readonly (readonly string[])[]): string[] {
  const distinct = [...new Set(lists)]; // the same shared list often comes from several collectors
  if (distinct.length === 0) return [];
  if (distinct.length === 1) return distinct[0] as string[];
  distinct.sort((a, b) => listId(a) - listId(b));
  const key = distinct.map(listId).join(",");
  const newest = distinct[distinct.length - 1]!;
  let bySet = MERGED.get(newest);
  if (!bySet) MERGED.set(newest, (bySet = new Map()));
  let merged = bySet.get(key);
  if (!merged) bySet.set(key, (merged = exactly(mergeAll(distinct) as string[])));
  return merged as string[];
}

/** Pairwise merges, level by level: each name is copied log2(lists) times, not once per list after it. */
function mergeAll(lists: readonly (readonly string[])[]): readonly string[] {
  let level = lists;
  while (level.length > 1) {
    const next: (readonly string[])[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mergeTwo(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** One pass over two sorted, duplicate-free lists, in code-unit order. */
function mergeTwo(a: readonly string[], b: readonly string[]): string[] {
  // Written into an array of the most it can hold, then cut to length: pushing grows (and copies) it as it goes.
  const out = new Array<string>(a.length + b.length);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[n++] = x;
      i++;
      j++;
    } else if (x < y) {
      out[n++] = x;
      i++;
    } else {
      out[n++] = y;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  out.length = n;
  return out;
}
