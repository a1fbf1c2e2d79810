/**
 * Shared trust (issue #6): plan certificates for VirtualMeshes (`planCertificates`, pure and synchronous), sign
 * them on an injected WebCrypto (`issueForPlan` and its primitives) and rotate roots safely (`planRotation`, pure).
 */
export { planCertificates, type CertificatePlanInput } from "./plan.js";
export { observedTrustOf, planRotation, type ObservedTrust, type RotationInput } from "./rotation.js";
export {
  createCsr,
  describeCertificate,
  generateRoot,
  issueForPlan,
  loadCertificateAuthority,
  privateKeyPem,
  signCertificate,
  signIntermediate,
  trustBundleManifests,
  type CertificateAuthority,
  type CertificateInfo,
  type CertificateTemplate,
  type IntermediateSpec,
  type IssuedCertificate,
  type IssueOptions,
  type IssueProblem,
  type IssueResult,
  type RootParams,
} from "./signer.js";
export { generateKeyPair } from "./keys.js";
export { CONTAINS_PRIVATE_KEY_ANNOTATION, GENERATED_ROOT_SECRET_TYPE, keySpecOf, resolveKeyAlgorithm, ROOT_FINGERPRINT_ANNOTATION, TrustError } from "./common.js";
export type * from "./types.js";
export { TRUST_API_VERSION } from "./types.js";
