/**
 * The data shapes of shared trust: the certificate plan ({@link CertificatePlan}), the rotation plan
 * ({@link RotationPlan}) and the restart steps both use. Everything here is plain JSON (strings, numbers, booleans,
 * arrays, objects): safe to print, diff and store. No private key, no PEM of a private key, no Buffer ever appears
 * in these shapes.
 */
import type { webcrypto } from "node:crypto";
import type { KEY_ALGORITHMS } from "../model/networking.js";

/** WebCrypto (`globalThis.crypto` on Node 20): injected wherever keys are generated or signatures made. */
export type Crypto = webcrypto.Crypto;
/** A WebCrypto key. Private keys stay `CryptoKey`s; they are exported only into Secret manifests. */
export type CryptoKey = webcrypto.CryptoKey;
/** A WebCrypto key pair. */
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** `apiVersion` of {@link CertificatePlan} and {@link RotationPlan}. */
export const TRUST_API_VERSION = "trust.meshhub.io/v1alpha1";

/** Key algorithms meshhub issues: `RSA-2048`, `RSA-3072`, `RSA-4096`, `ECDSA-P256`, `ECDSA-P384`. */
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** A key algorithm spelled out: what to generate and how certificates signed by it are hashed. */
export interface KeySpec {
  readonly algorithm: KeyAlgorithm;
  readonly type: "RSA" | "ECDSA";
  /** RSA modulus size in bits. */
  readonly rsaModulusBits?: 2048 | 3072 | 4096;
  /** ECDSA curve (`P-256` is OpenSSL's `prime256v1`, `P-384` is `secp384r1`). */
  readonly namedCurve?: "P-256" | "P-384";
  /** Hash of signatures made with this key: SHA-384 for P-384, SHA-256 otherwise. */
  readonly signatureHash: "SHA-256" | "SHA-384";
}

/** Where an intermediate's private key is generated. */
export type KeyGenerationMode =
  /** On the target cluster by an agent: the key never leaves the cluster; the plan carries the CSR spec. */
  | "target-cluster-agent"
  /** By the signer itself (offline demo, `issueForPlan`): the key travels in the Secret manifest. */
  | "local";

/** Distinguished-name attributes meshhub sets. */
export interface SubjectSpec {
  readonly commonName?: string;
  readonly organization?: string;
}

/** Subject alternative names. */
export interface SubjectAltNames {
  /** URI SANs, e.g. `spiffe://cluster.local/ns/istio-system/sa/istiod`. */
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
}

/** What a certificate signing request carries: the subject, SANs and key it is generated for. */
export interface CsrSpec {
  readonly subject: SubjectSpec;
  readonly sans: SubjectAltNames;
  readonly key: KeySpec;
}

/** A key usage bit (RFC 5280 §4.2.1.3). */
export type KeyUsage = "digitalSignature" | "keyEncipherment" | "keyCertSign" | "cRLSign";

/** `{name, namespace}` of a resource on the management plane. */
export interface ResourceRef {
  readonly name: string;
  readonly namespace: string;
}

/** A Kubernetes object meshhub writes (or expects), described without its contents. */
export interface DeliveryObject {
  readonly kind: "Secret" | "ConfigMap";
  readonly name: string;
  readonly namespace: string;
  /** Target cluster, or `null` for the management plane. */
  readonly cluster: string | null;
  /** Secret `type`. */
  readonly type?: string;
  /** Data key → what it holds. */
  readonly keys: Readonly<Record<string, string>>;
  /** True when one of the keys is a private key: adapters refuse to write it unless explicitly asked. */
  readonly containsPrivateKey: boolean;
}

// ---- restart steps ------------------------------------------------------------------------------------------

/** Kubernetes-style label selector. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: "In" | "NotIn" | "Exists"; readonly values?: readonly string[] }[];
}

/** What to wait for after a restart before the next step. */
export type WaitCondition =
  /** Every restarted controller has rolled out (all replicas updated and ready). */
  | { readonly condition: "rollout-complete"; readonly timeoutSeconds: number }
  /** Istio: ConfigMap `istio-ca-root-cert` in the pods' namespaces holds the same roots as `cacerts` `root-cert.pem`. */
  | { readonly condition: "root-cert-synced"; readonly configMap: "istio-ca-root-cert"; readonly key: "root-cert.pem"; readonly sameAs: string }
  /** Linkerd: `linkerd check --proxy` reports "data plane proxies certificate match CA". */
  | { readonly condition: "linkerd-proxies-match-ca"; readonly command: string }
  /** Linkerd: the identity controller emitted the `IssuerUpdated` event (hot issuer reload). */
  | { readonly condition: "linkerd-issuer-updated"; readonly command: string };

/** The controllers of one restart step: the selector, and the known controllers when discovery listed them. */
export interface RestartTarget {
  /** Namespace of the controllers, or `null` for every namespace. */
  readonly namespace: string | null;
  /** Pods to cycle (by restarting their controllers). */
  readonly podSelector: LabelSelector;
  /** Known controllers (from discovered workloads), sorted; empty when only the selector is known. */
  readonly controllers: readonly { readonly kind: string; readonly name: string; readonly namespace: string }[];
}

/** One ordered restart step. Steps run in `order`; a step starts only when the previous one's waits are met. */
export interface RestartStep {
  readonly order: number;
  readonly cluster: string;
  /** `control-plane` (istiod, Linkerd identity / control plane), `gateways`, or `workloads` (data plane). */
  readonly tier: "control-plane" | "gateways" | "workloads";
  readonly action: "rollout-restart";
  /** True when meshhub (agent / adapter) performs it (`autoRestartPods: true`); false: manual restart required. */
  readonly automatic: boolean;
  readonly target: RestartTarget;
  /** Conditions to meet before restarting (e.g. the new roots reached every namespace). */
  readonly waitBefore: readonly WaitCondition[];
  /** Conditions to meet after restarting, before the next step. */
  readonly waitFor: readonly WaitCondition[];
  /** Why this restart is needed. */
  readonly reason: string;
  /** A kubectl command (or recipe) to do it by hand. */
  readonly manual: string;
}

/** The restarts that make a mesh pick up new trust material. */
export interface RestartPlan {
  /** Mirrors the VirtualMesh's `autoRestartPods`. */
  readonly automatic: boolean;
  /** `"automatic"` or `"manual restart required"`, for display. */
  readonly summary: string;
  readonly steps: readonly RestartStep[];
}

// ---- certificate plan -----------------------------------------------------------------------------------------

/** The mesh a certificate is for. */
export interface MeshTarget {
  /** `namespace/name` of the discovered Mesh on the management plane. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly type: "istio" | "linkerd";
  /** istiod's namespace, or the Linkerd control-plane namespace. */
  readonly controlPlaneNamespace: string;
  readonly trustDomain: string;
  readonly version: string;
}

/** A root CA meshhub generates (or reuses once generated). */
export interface GeneratedRootPlan {
  readonly source: "generated";
  /** `generate` a new root, or `reuse` the one already in the Secret (a generated root is never replaced silently). */
  readonly action: "generate" | "reuse";
  readonly key: KeySpec;
  /** Which setting chose the key algorithm, e.g. `rsaKeySizeBytes: 4096` or `default (RSA-4096, Gloo Mesh parity)`. */
  readonly keyChosenBy: string;
  readonly subject: SubjectSpec;
  readonly ttlDays: number;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Root: CA without a path length limit; intermediates below it carry `pathLenConstraint: 0`. */
  readonly basicConstraints: { readonly ca: true; readonly pathLenConstraint: null };
  readonly keyUsage: readonly KeyUsage[];
  /** Where it is stored on the management plane (keys `root-cert.pem`, `key.pem`). */
  readonly storage: DeliveryObject;
  /** The root found in that Secret (when `action` is `reuse`). */
  readonly existing?: RootIdentity;
}

/** A root CA the user provides in a Secret. */
export interface SecretRootPlan {
  readonly source: "secret";
  readonly secret: ResourceRef & { readonly cluster: null };
  /** Accepted key pairs, tried in order: Gloo Mesh's `root-cert.pem`/`key.pem`, then `tls.crt`/`tls.key` (cert-manager). */
  readonly acceptedKeys: readonly { readonly certificate: string; readonly privateKey: string }[];
  readonly existing?: RootIdentity;
}

/** Public identity of a root: what rotation compares. */
export interface RootIdentity {
  /** SHA-256 over the DER certificate, lower-case hex. */
  readonly fingerprintSha256: string;
  readonly notAfter?: string;
  readonly subject?: string;
}

/** The intermediate CA (Istio) or identity issuer (Linkerd) one mesh needs. */
export interface IntermediatePlan {
  readonly mesh: MeshTarget;
  readonly role: "istio-intermediate-ca" | "linkerd-identity-issuer";
  readonly keyGeneration: KeyGenerationMode;
  /** The CSR to generate (subject, SANs, key). The issued certificate carries exactly these. */
  readonly csr: CsrSpec;
  readonly basicConstraints: { readonly ca: true; readonly pathLenConstraint: 0 };
  /** Critical key usage. */
  readonly keyUsage: readonly KeyUsage[];
  /** Requested lifetime; `notAfter` may be earlier (capped to the root's `notAfter`). */
  readonly ttlDays: number;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly cappedByRoot: boolean;
  /** The objects that deliver it on the mesh's cluster. */
  readonly deliver: readonly DeliveryObject[];
  readonly restart: RestartPlan;
  readonly notes: readonly string[];
}

/** The plan for one VirtualMesh with `mtlsConfig.shared`. */
export interface VirtualMeshCertificatePlan {
  readonly virtualMesh: ResourceRef;
  readonly root: GeneratedRootPlan | SecretRootPlan;
  /** One per mesh, sorted by mesh key. */
  readonly intermediates: readonly IntermediatePlan[];
  readonly warnings: readonly string[];
}

/** What meshhub will sign, where keys are generated, what it writes and which pods restart. Plain JSON. */
export interface CertificatePlan {
  readonly apiVersion: typeof TRUST_API_VERSION;
  readonly kind: "CertificatePlan";
  /** The `now` the dates were computed from (ISO 8601, whole seconds). */
  readonly now: string;
  readonly graceDays: number;
  readonly managementNamespace: string;
  readonly keyGeneration: KeyGenerationMode;
  /** Sorted by `namespace/name`. */
  readonly virtualMeshes: readonly VirtualMeshCertificatePlan[];
  /** VirtualMeshes given but not planned, with the reason. */
  readonly skipped: readonly { readonly virtualMesh: ResourceRef; readonly reason: string }[];
}

// ---- rotation plan ---------------------------------------------------------------------------------------------

/** A certificate in a trust bundle, with its role in the rotation. */
export interface BundleEntry {
  readonly fingerprintSha256: string;
  readonly role: "new" | "old";
  readonly notAfter?: string;
  readonly subject?: string;
}

/** A change to one object on a cluster. */
export interface ObjectChange {
  readonly kind: "Secret" | "ConfigMap";
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  /** Data keys written, with what they will hold. */
  readonly set: Readonly<Record<string, string>>;
  /** Data keys left as they are. */
  readonly keep: readonly string[];
  /** The trust bundle written, when the change writes one. */
  readonly trustBundle?: readonly BundleEntry[];
  readonly containsPrivateKey: boolean;
}

/** What one mesh does in one stage (or for one re-issue). */
export interface MeshAction {
  readonly mesh: MeshTarget;
  readonly changes: readonly ObjectChange[];
  readonly restart: RestartPlan;
  readonly notes: readonly string[];
  /** True when this action cannot avoid downtime (something already expired). */
  readonly downtime: boolean;
}

/** The three stages of a safe root rotation. */
export type RotationStageId = "distribute-bundle" | "issue-intermediates" | "drop-old-roots";

/** One stage; stage N+1 starts only when stage N completed and was verified on every mesh of the VirtualMesh. */
export interface RotationStage {
  readonly stage: 1 | 2 | 3;
  readonly id: RotationStageId;
  readonly description: string;
  readonly actions: readonly MeshAction[];
}

/** Re-issue an intermediate under the current root because it expires soon (or has expired). */
export interface ReissueStep {
  readonly action: MeshAction;
  readonly intermediate: { readonly fingerprintSha256: string; readonly notAfter: string };
  readonly expiresInDays: number;
  readonly expired: boolean;
}

/** A choice the user must make before meshhub touches a mesh; until then the mesh gets no step at all. */
export interface TrustDecision {
  readonly mesh: MeshTarget;
  readonly question: string;
  /** The object in question (Istio `cacerts`). */
  readonly object: { readonly kind: "Secret"; readonly name: string; readonly namespace: string; readonly cluster: string };
  readonly found: readonly BundleEntry[];
  readonly options: readonly { readonly choice: "take-over" | "keep"; readonly consequence: string }[];
  /** How to answer: the `decisions` input key and values. */
  readonly answerWith: string;
}

/** Rotation plan for one VirtualMesh. */
export interface VirtualMeshRotation {
  readonly virtualMesh: ResourceRef;
  readonly desiredRoot: RootIdentity;
  /** `up-to-date` (no stage), `rotating` (some stage remains). */
  readonly rootRotation: "up-to-date" | "rotating";
  /** Remaining stages, in order; completed stages are omitted. */
  readonly stages: readonly RotationStage[];
  readonly reissues: readonly ReissueStep[];
  readonly decisions: readonly TrustDecision[];
  readonly warnings: readonly string[];
}

/** Staged, idempotent rotation plan: after everything ran, planning again yields no stage and no re-issue. */
export interface RotationPlan {
  readonly apiVersion: typeof TRUST_API_VERSION;
  readonly kind: "RotationPlan";
  readonly now: string;
  readonly graceDays: number;
  readonly virtualMeshes: readonly VirtualMeshRotation[];
  /** VirtualMeshes given but not planned (no shared trust, or no desired root given), with the reason. */
  readonly skipped: readonly { readonly virtualMesh: ResourceRef; readonly reason: string }[];
  /** Number of stage actions plus re-issues: 0 means nothing to do (decisions are not steps). */
  readonly stepCount: number;
}
