/**
 * HTML escaping for report text and attribute values: wafer ids, file names and reason messages are
 * user data and must never become markup.
 */
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Control characters (other than tab and newline) are not allowed in HTML text: show them as U+FFFD.
  // eslint-disable-next-line no-control-regex
  return String(value).replace(
    /[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g,
    (c) => MAP[c] ?? '\ufffd',
  );
}
