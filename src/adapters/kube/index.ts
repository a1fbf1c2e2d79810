/**
 * The Kubernetes adapter: reads cluster snapshots from live API servers and applies translated manifests with
 * server-side apply. The core never imports it.
 */
export { applyManifests, diff, formatApplyReport } from "./apply.js";
export type { AppliedEntry, ApplyOptions, ApplyProgress, ApplyReport, ConflictEntry, FailedEntry, NotAttemptedEntry } from "./apply.js";
export { connectCluster, kubeConfigTransport } from "./connection.js";
export type { ClusterConnection, ClusterRegistration, ConnectOptions, Transport, TransportRequest, TransportResponse } from "./connection.js";
export { diffFields, formatDiff, ownedFields } from "./diff.js";
export type { ConflictReason, DiffEntry, FieldChange, OwnedFields } from "./diff.js";
export { ClusterError, TransportError } from "./errors.js";
export type { ClusterErrorKind } from "./errors.js";
export { FIELD_MANAGER, OWNER_SELECTOR, PATCH_SERVER_SIDE_APPLY, PRIVATE_KEY_ANNOTATION, formatRef } from "./objects.js";
export type { ResourceRef } from "./objects.js";
export { SNAPSHOT_KINDS, isMeshConfigMap, readSnapshot } from "./snapshot.js";
export type { ReadProgress, ReadSnapshotOptions, SnapshotKind } from "./snapshot.js";
