/** A container image reference split into its parts, following Docker's reference grammar loosely. */
export interface ImageRef {
  /** The full reference as written. */
  readonly raw: string;
  /** Registry host when the first path component looks like one (`docker.io`, `cr.l5d.io`, `localhost:5000`). */
  readonly registry?: string;
  /** Repository path without registry, tag or digest, e.g. `istio/pilot`, `linkerd/controller`. */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:…` */
  readonly digest?: string;
}

/** Parses `registry/path:tag@digest`. Never throws; an unparseable string yields `path: raw`. */
export function parseImageRef(image: string): ImageRef {
  const raw = image;
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1) || undefined;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1) || undefined;
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      rest = rest.slice(firstSlash + 1);
    }
  }
  return { raw, registry, path: rest, tag, digest };
}

/**
 * The version an image reference stands for: its tag when it has one (also when a digest pins it too), else the
 * digest, else `latest` (Docker's default tag).
 */
export function imageVersion(ref: ImageRef): string {
  return ref.tag ?? ref.digest ?? "latest";
}

/** Last component of the repository path (`pilot` for `docker.io/istio/pilot:1.29.6`). */
export function imageBaseName(ref: ImageRef): string {
  const slash = ref.path.lastIndexOf("/");
  return slash < 0 ? ref.path : ref.path.slice(slash + 1);
}
