import type { TrafficFeature } from "./types.js";

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** `policy.headerManipulation`: add or remove request and response headers. */
export const headerManipulation: TrafficFeature<"headerManipulation"> = {
  name: "headerManipulation",
  level: "route",
  resolve(value) {
    const names = [
      ...Object.keys(value.appendRequestHeaders ?? {}),
      ...Object.keys(value.appendResponseHeaders ?? {}),
      ...(value.removeRequestHeaders ?? []),
      ...(value.removeResponseHeaders ?? []),
    ];
    const bad = names.filter((n) => !HEADER_NAME.test(n));
    if (bad.length > 0) return { errors: bad.map((n) => `header-manipulation: ${JSON.stringify(n)} is not a valid HTTP header name`) };
    return { value };
  },
};
