/**
 * meshhub's I/O edge (`import … from "meshhub/adapters"`): read workspaces and `kubectl get -o yaml` dumps, write
 * GitOps trees, and read from / apply to live clusters with server-side apply.
 *
 * @packageDocumentation
 */
export { FileAdapterError, readWorkspaceDir, writeGitOps, writeGitOpsTree, writeWorkspaceFiles, gitOpsPath, type GitOpsWriteResult } from "./files.js";
export { planGitOpsTree, type GitOpsFile, type GitOpsOptions, type GitOpsTree, type SkippedObject } from "./gitops.js";
export * from "./kube/index.js";
