/**
 * Hints for manifests written against older Service Mesh Hub / Gloo Mesh API shapes that the docs still label
 * `networking.mesh.gloo.solo.io/v1`. Each hint says what the v1 shape is, so a migrating user can fix the file.
 */

const POLICY_ACTIONS = new Set([
  "trafficShift",
  "faultInjection",
  "requestTimeout",
  "retries",
  "corsPolicy",
  "mirror",
  "headerManipulation",
  "outlierDetection",
  "mtls",
]);

const RENAMES: Record<string, string> = {
  serviceRefs: "kubeServiceRefs",
  matcher: "kubeServiceMatcher",
  serviceAccountRefs: "kubeServiceAccountRefs",
  cluster: "clusterName",
  destination: "kubeService",
  enforceAccessControl: "globalAccessPolicy",
  certificateAuthority: "mtlsConfig.shared.rootCertificateAuthority",
};

/** A hint for the field at `path` (its last segment is the offending key), or undefined. */
export function driftHint(kind: string | undefined, path: readonly (string | number)[], found: unknown): string | undefined {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  const joined = path.filter((p) => typeof p === "string").join(".");
  if (kind === "TrafficPolicy" && path.length === 2 && path[0] === "spec" && typeof key === "string" && POLICY_ACTIONS.has(key)) {
    return `in networking.mesh.gloo.solo.io/v1 the policy actions live under spec.policy: move ${key} to spec.policy.${key}`;
  }
  if ((key === "destinationSelector" || key === "sourceSelector") && found !== null && typeof found === "object" && !Array.isArray(found)) {
    const inner = Object.keys(found as object)[0];
    const renamed = inner ? (RENAMES[inner] ?? inner) : "kubeServiceMatcher";
    return `v1 takes a list of selectors: ${String(key)}: [{${renamed}: …}]${inner && RENAMES[inner] ? ` (\`${inner}\` is the Service Mesh Hub spelling of \`${renamed}\`)` : ""}`;
  }
  if (kind === "TrafficPolicy" && parent !== undefined && typeof parent === "number" && path.includes("sourceSelector") && (key === "labels" || key === "namespaces")) {
    return `wrap it in a workload matcher: sourceSelector: [{kubeWorkloadMatcher: {${key}: …}}]`;
  }
  if (joined.includes("trafficShift.destinations") && key === "port") {
    return "port belongs inside kubeService: {name, namespace, clusterName, port}";
  }
  if (typeof key === "string" && RENAMES[key] !== undefined) {
    return `v1 calls this field ${RENAMES[key]}`;
  }
  return undefined;
}
