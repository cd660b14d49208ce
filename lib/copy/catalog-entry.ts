// The catalog's shape, importable from browser code (catalog.ts itself needs the TypeScript compiler).
import type { CopyString } from "./extract-strings";

export type CatalogEntry = CopyString & { pages: string[] };

/** In an entry's pages: the string renders on every page (layouts, app shells). */
export const EVERY_PAGE = "*";
