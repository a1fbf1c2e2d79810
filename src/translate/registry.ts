import { istioTranslator } from "./istio/index.js";
import { linkerdTranslator } from "./linkerd/index.js";
import type { MeshTranslator } from "./types.js";

/** One translator per mesh type. */
export const MESH_TRANSLATORS: { readonly [K in MeshTranslator["meshType"]]: MeshTranslator } = {
  istio: istioTranslator,
  linkerd: linkerdTranslator,
};
