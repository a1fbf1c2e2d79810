/**
 * Freezes a value and everything it holds, and returns it. For output fragments rendered once and shared by many
 * emitted objects: a caller that edits one object in place gets an error instead of silently editing all of them.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
