/**
 * Text for XML content and attribute values (SVG, HTML, JUnit reports): every input (pod and
 * container names, messages, process argv) is untrusted. XML 1.0 cannot carry most control
 * characters even escaped, so they are dropped.
 */
export function escapeXml(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
