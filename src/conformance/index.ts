export {
  UNCHECKED_CEL_NOTE,
  compiledCount,
  formatConformanceError,
  hasSchemaFor,
  loadCrds,
  parseGoDuration,
  pointerToPath,
  validateObject,
  validateObjects,
} from "./crd-validator.js";
export type { ConformanceError, ConformanceOptions, CrdRegistry, CrdVersionInfo } from "./crd-validator.js";
