/**
 * The Linkerd translator's intermediate form: what the feature table decides for one resolved route, before it is
 * rendered as an HTTPRoute rule (2.16+) or a ServiceProfile route / TrafficSplit (2.10–2.15).
 */
import type { ResolvedRoute } from "../../resolve/traffic.js";
import type { LinkerdBackend } from "./backends.js";

export interface HeaderModifier {
  /** Appended (Gateway API `add`), in name order. */
  readonly add: readonly { readonly name: string; readonly value: string }[];
  readonly remove: readonly string[];
}

export interface RetryDecision {
  /** `retry.linkerd.io/limit` (retries after the first try; "0" = none). */
  readonly limit: number;
  /** `retry.linkerd.io/timeout`, already in Linkerd's single-unit form. */
  readonly timeout?: string;
  /** `retry.linkerd.io/http`, comma-separated Linkerd conditions. */
  readonly http?: string;
  /** ServiceProfile flavour only (opt-in): budget-based `isRetryable`. */
  readonly budget?: boolean;
}

export interface RuleIR {
  readonly route: ResolvedRoute;
  backends?: LinkerdBackend[];
  requestHeaders?: HeaderModifier;
  responseHeaders?: HeaderModifier;
  /** The policy's duration as written; renderers convert it per target format. */
  timeout?: string;
  retry?: RetryDecision;
}
