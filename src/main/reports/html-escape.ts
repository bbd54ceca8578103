/**
 * HTML escaping for report text and attribute values: wafer ids, file names and reason messages are
 * user data and must never become markup.
 */
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup characters, and control characters (other than tab and newline) HTML text may not hold. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(UNSAFE, (c) => MAP[c] ?? '\ufffd');
}
