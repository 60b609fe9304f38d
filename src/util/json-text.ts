/**
 * Reading a JSON document a user gave us (scenario, calibration profile, trace): a UTF-8 byte-order mark at the
 * start is dropped, as editors on Windows write one and users expect it to be harmless, and a syntax error becomes
 * one line that shows no raw control characters.
 */

/** The text without a leading byte-order mark (U+FEFF). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Control and invisible formatting characters as `\uXXXX`, and the text on one line. */
const oneLine = (s: string): string =>
  s.replace(/\s*\n\s*/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export type JsonText = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** `JSON.parse` of `text` after `stripBom`; the error is `not valid JSON (…)`. */
export function parseJsonText(text: string): JsonText {
  try {
    return { ok: true, value: JSON.parse(stripBom(text)) as unknown };
  } catch (e) {
    return { ok: false, error: `not valid JSON (${oneLine(e instanceof Error ? e.message : String(e))})` };
  }
}
