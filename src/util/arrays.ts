/**
 * The array without spare capacity. V8 grows an array built by `push` (also `flatMap`, `filter`) to 17 slots for its
 * first element, about 130 bytes more than the array needs: kept per emitted object or per destination, that is
 * tens of MiB at 100,000 services. Copying a short array once costs less.
 */
export function exactly<T>(array: T[]): T[] {
  return array.length === 0 ? array : array.slice();
}
