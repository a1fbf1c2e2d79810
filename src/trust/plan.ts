/**
 * `planCertificates`: what shared trust needs for every accepted VirtualMesh grouping — the root, one intermediate
 * (Istio) or identity issuer (Linkerd) per mesh, the objects that deliver them and the ordered pod restarts.
 * Pure and synchronous: no crypto, no clock (time is `input.now`), no I/O. The result is plain JSON without keys.
 */
import { compareStrings } from "../codec/canonical.js";
import type { Mesh, MeshWorkload } from "../model/discovery.js";
import { DEFAULT_MANAGEMENT_NAMESPACE } from "../model/discovery.js";
import type { VirtualMesh } from "../model/networking.js";
import {
  addDays,
  DEFAULT_GRACE_DAYS,
  DEFAULT_INTERMEDIATE_TTL_DAYS,
  DEFAULT_LINKERD_ISSUER_TTL_DAYS,
  DEFAULT_ORG,
  DEFAULT_ROOT_TTL_DAYS,
  daysUntil,
  floorSeconds,
  GENERATED_ROOT_SECRET_TYPE,
  ISTIO_CACERTS,
  ISTIO_KEYS,
  isoSeconds,
  istiodSpiffeId,
  keyOf,
  keySpecOf,
  LINKERD_ANCHOR_ALGORITHMS,
  LINKERD_ISSUER,
  LINKERD_ISSUER_KEYS,
  LINKERD_TRUST_ROOTS,
  LINKERD_TRUST_ROOTS_KEY,
  linkerdIssuerName,
  meshTarget,
  refOfVm,
  resolveKeyAlgorithm,
  ROOT_SECRET_KEY_PAIRS,
} from "./common.js";
import { restartPlanFor, type RestartScope } from "./restart.js";
import {
  TRUST_API_VERSION,
  type CertificatePlan,
  type DeliveryObject,
  type GeneratedRootPlan,
  type IntermediatePlan,
  type KeyGenerationMode,
  type KeySpec,
  type RootIdentity,
  type SecretRootPlan,
  type VirtualMeshCertificatePlan,
} from "./types.js";

/** Input of {@link planCertificates}. */
export interface CertificatePlanInput {
  /** Accepted groupings: each VirtualMesh with the meshes it was accepted for (see `validateVirtualMeshes`). */
  readonly virtualMeshes: readonly { readonly virtualMesh: VirtualMesh; readonly meshes: readonly Mesh[] }[];
  /** The instant every date is computed from. */
  readonly now: Date;
  /** Days before expiry at which a certificate counts as expiring (default 30). */
  readonly graceDays?: number;
  /** Namespace on the management plane for generated root Secrets (default `meshhub`). */
  readonly managementNamespace?: string;
  /** Where intermediate keys are generated (default `target-cluster-agent`). */
  readonly keyGeneration?: KeyGenerationMode;
  /** Intermediate lifetimes (defaults: 365 days for both); always capped to the root's `notAfter`. */
  readonly intermediateTtlDays?: { readonly istio?: number; readonly linkerd?: number };
  /**
   * Roots already in place, keyed `namespace/name` of the VirtualMesh: a generated root found in its Secret is
   * reused (never silently regenerated); for a `secret` root it gives the plan the expiry to cap intermediates to.
   */
  readonly existingRoots?: Readonly<Record<string, RootIdentity & { readonly notBefore?: string }>>;
  /** Discovered workloads, to name the controllers restart steps cycle (else only label selectors are given). */
  readonly workloads?: readonly MeshWorkload[];
}

const CA_KEY_USAGE = ["keyCertSign", "cRLSign"] as const;

/** Plans certificates for every VirtualMesh with `mtlsConfig.shared`. See {@link CertificatePlan}. */
export function planCertificates(input: CertificatePlanInput): CertificatePlan {
  const now = floorSeconds(input.now);
  const graceDays = input.graceDays ?? DEFAULT_GRACE_DAYS;
  const managementNamespace = input.managementNamespace ?? DEFAULT_MANAGEMENT_NAMESPACE;
  const keyGeneration = input.keyGeneration ?? "target-cluster-agent";
  const planned: VirtualMeshCertificatePlan[] = [];
  const skipped: { virtualMesh: { name: string; namespace: string }; reason: string }[] = [];
  const groupings = [...input.virtualMeshes].sort((a, b) => compareStrings(keyOf(a.virtualMesh), keyOf(b.virtualMesh)));
  for (const { virtualMesh: vm, meshes } of groupings) {
    const ref = refOfVm(vm);
    const shared = vm.spec.mtlsConfig?.shared;
    if (!shared) {
      skipped.push({ virtualMesh: ref, reason: vm.spec.mtlsConfig?.limited ? "mtlsConfig.limited is not supported: no shared trust planned" : "no mtlsConfig.shared: the meshes keep their own roots" });
      continue;
    }
    if (shared.intermediateCertificateAuthority) {
      skipped.push({ virtualMesh: ref, reason: "mtlsConfig.shared.intermediateCertificateAuthority (Vault) is not supported: use rootCertificateAuthority.generated or .secret" });
      continue;
    }
    if (meshes.length === 0) {
      skipped.push({ virtualMesh: ref, reason: "no mesh was accepted for this VirtualMesh" });
      continue;
    }
    planned.push(planVirtualMesh(vm, meshes, { now, graceDays, managementNamespace, keyGeneration, input }));
  }
  return { apiVersion: TRUST_API_VERSION, kind: "CertificatePlan", now: isoSeconds(now), graceDays, managementNamespace, keyGeneration, virtualMeshes: planned, skipped };
}

interface Context {
  readonly now: Date;
  readonly graceDays: number;
  readonly managementNamespace: string;
  readonly keyGeneration: KeyGenerationMode;
  readonly input: CertificatePlanInput;
}

function positiveDays(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

function planVirtualMesh(vm: VirtualMesh, meshes: readonly Mesh[], ctx: Context): VirtualMeshCertificatePlan {
  const warnings: string[] = [];
  const ref = refOfVm(vm);
  const vmKey = keyOf(ref);
  const rca = vm.spec.mtlsConfig?.shared?.rootCertificateAuthority;
  const org = rca?.generated?.orgName ?? DEFAULT_ORG;
  const chosen = resolveKeyAlgorithm(vm);
  if (chosen.warning) warnings.push(chosen.warning);
  const existing = ctx.input.existingRoots?.[vmKey];
  const automatic = vm.spec.mtlsConfig?.autoRestartPods === true;
  const hasLinkerd = meshes.some((m) => "linkerd" in m.spec);

  let root: GeneratedRootPlan | SecretRootPlan;
  let rootNotAfter: string | undefined;
  if (rca?.secret) {
    if (rca.generated) warnings.push("rootCertificateAuthority sets both secret and generated: the secret is the root; generated settings only choose the Istio intermediates' key algorithm");
    root = {
      source: "secret",
      secret: { name: rca.secret.name, namespace: rca.secret.namespace, cluster: null },
      acceptedKeys: ROOT_SECRET_KEY_PAIRS.map((p) => ({ ...p })),
      ...(existing ? { existing } : {}),
    };
    rootNotAfter = existing?.notAfter;
    if (!rootNotAfter) warnings.push(`the root's expiry is not known until Secret ${rca.secret.namespace}/${rca.secret.name} is read: intermediates are capped to it when signed`);
  } else {
    const ttlDays = positiveDays(rca?.generated?.ttlDays, DEFAULT_ROOT_TTL_DAYS);
    const key = keySpecOf(chosen.algorithm);
    const reuse = existing !== undefined;
    const notBefore = reuse && existing.notBefore ? existing.notBefore : isoSeconds(ctx.now);
    const notAfter = reuse && existing.notAfter ? existing.notAfter : isoSeconds(addDays(ctx.now, ttlDays));
    if (reuse && !existing.notAfter) warnings.push("the reused root's expiry was not given: dates shown are those of a new root");
    root = {
      source: "generated",
      action: reuse ? "reuse" : "generate",
      key,
      keyChosenBy: chosen.chosenBy,
      subject: { commonName: `${ref.name}.${ref.namespace} root CA`, organization: org },
      ttlDays,
      notBefore,
      notAfter,
      basicConstraints: { ca: true, pathLenConstraint: null },
      keyUsage: [...CA_KEY_USAGE],
      storage: {
        kind: "Secret",
        name: `${ref.name}.${ref.namespace}`,
        namespace: ctx.managementNamespace,
        cluster: null,
        type: GENERATED_ROOT_SECRET_TYPE,
        keys: { "root-cert.pem": "root CA certificate (PEM)", "key.pem": "root CA private key (PEM)" },
        containsPrivateKey: true,
      },
      ...(existing ? { existing } : {}),
    };
    rootNotAfter = notAfter;
    if (hasLinkerd && !LINKERD_ANCHOR_ALGORITHMS.includes(chosen.algorithm)) {
      warnings.push(`Linkerd accepts trust anchors of ECDSA-P256, RSA-2048 or RSA-4096 only (linkerd check); ${chosen.algorithm} will be rejected: set keyAlgorithm to ECDSA-P256 or RSA-4096`);
    }
  }
  if (rootNotAfter) {
    const left = daysUntil(ctx.now, rootNotAfter);
    if (left < 0) warnings.push(`the root expired on ${rootNotAfter}: rotate it (planRotation); the safe procedure does not apply, expect downtime`);
    else if (left < ctx.graceDays) warnings.push(`the root expires on ${rootNotAfter}, within the ${ctx.graceDays}-day grace period: rotate it (planRotation)`);
  }

  const intermediates = [...meshes]
    .sort((a, b) => compareStrings(keyOf(a), keyOf(b)))
    .map((mesh) => planIntermediate(mesh, { org, istioKey: keySpecOf(chosen.algorithm), rootNotAfter, automatic }, ctx));
  return { virtualMesh: ref, root, intermediates, warnings };
}

function validity(ctx: Context, ttlDays: number, rootNotAfter: string | undefined): { notBefore: string; notAfter: string; cappedByRoot: boolean } {
  const wanted = addDays(ctx.now, ttlDays);
  const cap = rootNotAfter !== undefined ? Date.parse(rootNotAfter) : undefined;
  const capped = cap !== undefined && cap < wanted.getTime();
  return { notBefore: isoSeconds(ctx.now), notAfter: capped ? isoSeconds(new Date(cap)) : isoSeconds(wanted), cappedByRoot: capped };
}

function planIntermediate(
  mesh: Mesh,
  opts: { org: string; istioKey: KeySpec; rootNotAfter: string | undefined; automatic: boolean },
  ctx: Context,
): IntermediatePlan {
  const target = meshTarget(mesh);
  const workloads = ctx.input.workloads ?? [];
  const keyWhere = ctx.keyGeneration === "local" ? "generated locally by the signer and delivered in the Secret" : "generated on the target cluster by the agent; it never leaves the cluster";
  if ("istio" in mesh.spec) {
    const ttlDays = positiveDays(ctx.input.intermediateTtlDays?.istio, DEFAULT_INTERMEDIATE_TTL_DAYS);
    const ns = target.controlPlaneNamespace;
    const cacerts: DeliveryObject = {
      kind: "Secret",
      name: ISTIO_CACERTS,
      namespace: ns,
      cluster: target.cluster,
      type: "Opaque",
      keys: {
        [ISTIO_KEYS.caCert]: "intermediate CA certificate istiod signs workload certificates with",
        [ISTIO_KEYS.caKey]: `intermediate CA private key (${keyWhere})`,
        [ISTIO_KEYS.rootCert]: "root certificate(s) of trust (a bundle during rotation)",
        [ISTIO_KEYS.certChain]: "intermediate followed by the root",
      },
      containsPrivateKey: true,
    };
    const scope: RestartScope = {
      controlPlane: "istiod reads cacerts at start and ignores a changed root-cert.pem until it restarts (\"Updating new ROOT-CA not supported\")",
      gateways: "gateways must trust the new root and get certificates from the new intermediate",
      workloads: "workloads must trust the new root and get certificates from the new intermediate",
    };
    return {
      mesh: target,
      role: "istio-intermediate-ca",
      keyGeneration: ctx.keyGeneration,
      csr: { subject: { commonName: `${target.name} intermediate CA`, organization: opts.org }, sans: { uris: [istiodSpiffeId(mesh) as string], dnsNames: [] }, key: opts.istioKey },
      basicConstraints: { ca: true, pathLenConstraint: 0 },
      keyUsage: [...CA_KEY_USAGE],
      ttlDays,
      ...validity(ctx, ttlDays, opts.rootNotAfter),
      deliver: [cacerts],
      restart: restartPlanFor(mesh, opts.automatic, scope, workloads),
      notes: [
        `Istio ignores a changed root without an istiod restart: istiod in ${target.cluster}/${ns} restarts first, then gateways, then workloads`,
        `Create cacerts before istiod starts, or restart istiod: it only switches from its self-signed CA (istio-ca-secret) at start`,
      ],
    };
  }
  const ttlDays = positiveDays(ctx.input.intermediateTtlDays?.linkerd, DEFAULT_LINKERD_ISSUER_TTL_DAYS);
  const ns = target.controlPlaneNamespace;
  const issuer = linkerdIssuerName(mesh) as string;
  const deliver: DeliveryObject[] = [
    {
      kind: "ConfigMap",
      name: LINKERD_TRUST_ROOTS,
      namespace: ns,
      cluster: target.cluster,
      keys: { [LINKERD_TRUST_ROOTS_KEY]: "trust anchor(s): the VirtualMesh root (a bundle during rotation)" },
      containsPrivateKey: false,
    },
    {
      kind: "Secret",
      name: LINKERD_ISSUER,
      namespace: ns,
      cluster: target.cluster,
      type: "kubernetes.io/tls",
      keys: {
        [LINKERD_ISSUER_KEYS.cert]: "identity issuer certificate",
        [LINKERD_ISSUER_KEYS.key]: `identity issuer private key, ECDSA P-256 (${keyWhere})`,
        [LINKERD_ISSUER_KEYS.ca]: "the root the issuer chains to",
      },
      containsPrivateKey: true,
    },
  ];
  return {
    mesh: target,
    role: "linkerd-identity-issuer",
    keyGeneration: ctx.keyGeneration,
    csr: { subject: { commonName: issuer, organization: opts.org }, sans: { uris: [], dnsNames: [issuer] }, key: keySpecOf("ECDSA-P256") },
    basicConstraints: { ca: true, pathLenConstraint: 0 },
    keyUsage: [...CA_KEY_USAGE],
    ttlDays,
    ...validity(ctx, ttlDays, opts.rootNotAfter),
    deliver,
    restart: restartPlanFor(mesh, opts.automatic, {
      controlPlane: "Linkerd loads trust anchors at start: a changed linkerd-identity-trust-roots needs a control-plane restart",
      gateways: "the multicluster gateway's proxy must load the new trust anchors",
      workloads: "proxies load trust anchors only at start-up",
    }, workloads),
    notes: [
      "Install Linkerd with identity.externalCA=true and identity.issuer.scheme=kubernetes.io/tls, so Helm / linkerd upgrade neither overwrite linkerd-identity-trust-roots nor ignore the issuer Secret",
      "Issuer rotation alone is hot (the identity controller emits IssuerUpdated); trust-anchor changes need a restart of the control plane and then of every meshed workload",
      "The issuer is always ECDSA P-256 (Linkerd's requirement), whatever the root's algorithm",
    ],
  };
}
