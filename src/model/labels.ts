/** Label on every object meshhub writes or discovers: adapters prune and overwrite only objects carrying it. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Value of {@link MANAGED_BY_LABEL} on objects meshhub owns. */
export const MANAGED_BY_VALUE = "meshhub";
