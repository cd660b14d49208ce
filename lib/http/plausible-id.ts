// Ids in URLs are ours (cuids, "demo"): anything else cannot name a row. Checked before a lookup, so a
// NUL byte or a megabyte of path is a plain 404 instead of a database error (PostgreSQL refuses NUL in text).
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isPlausibleId(value: string): boolean {
  return ID_PATTERN.test(value);
}
