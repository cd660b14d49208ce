// The catalog's shape, importable from browser code (catalog.ts itself needs the TypeScript compiler).
import type { CopyString, CopySyntax } from "./extract-strings";

/**
 * `syntax` lets the web refuse text a literal cannot hold before anything runs (absent in older catalogs).
 * `translations`: for a string of the source language's locale file, the other languages whose file has
 * the same key (lib/copy/locale-files.ts). `renderedPages`: the routes whose picture at the catalog's
 * commit shows the text (lib/copy/page-map.ts), set by the Copy page's query, never stored in a catalog.
 */
export type CatalogEntry = CopyString & { pages: string[]; syntax?: CopySyntax; translations?: string[]; renderedPages?: string[] };

/** In an entry's pages: the string renders on every page (layouts, app shells). */
export const EVERY_PAGE = "*";
