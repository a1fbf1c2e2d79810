import type { LinkerdFlavour } from "./version.js";

/**
 * The shape of every "unsupported" error: what (the feature, with the policy field), the mesh and version, why, and
 * what would work instead. Kept in one place so messages stay uniform and greppable.
 */
export function unsupported(feature: string, flavour: LinkerdFlavour, why: string, instead: string): string {
  return `${feature} is not supported by ${flavour.label}: ${why}; ${instead}`;
}

/** `requires Linkerd ≥2.16 … (found edge-24.2.1 …)` */
export function requiresVersion(feature: string, minimum: string, flavour: LinkerdFlavour, why: string, instead: string): string {
  return `${feature} requires Linkerd ≥${minimum} (found ${flavour.label}): ${why}; ${instead}`;
}
