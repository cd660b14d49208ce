// The part of gettext-parser's API copy mode uses (the package ships JavaScript without types).
declare module "gettext-parser" {
  export type PoMessage = { msgid: string; msgctxt?: string; msgid_plural?: string; msgstr: string[] };
  export type PoTable = {
    charset: string;
    headers: Record<string, string> | undefined;
    /** By msgctxt ("" for none), then by msgid. */
    translations: Record<string, Record<string, PoMessage>>;
  };
  export const po: {
    /** validation: also refuse duplicate entries, wrong plural counts and line breaks inside a string. */
    parse(input: string, options?: { validation?: boolean }): PoTable;
  };
}
