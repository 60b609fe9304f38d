/**
 * Text from the user (VM and scenario names, descriptions, file paths) printed safely: control characters would
 * split table rows (`\n`), move the cursor or recolour the terminal (`ESC[31m`), and invisible formatting characters
 * (bidi overrides) would make what is shown differ from what is there. They are shown as `\uXXXX` escapes, which
 * also keeps JSON output valid (JSON.stringify leaves C1 controls and bidi overrides raw).
 */

/** C0 controls but tab and newline, DEL, C1 controls, and Unicode's invisible formatting and bidi characters. */
const UNSAFE_IN_OUTPUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
/** The same, and tab and newline too: a name is one cell of one line. */
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A name for one cell of a table or one line of text: every control or invisible character escaped. */
export const printable = (name: string): string => name.replace(UNSAFE_IN_NAME, escape);

/** Whole output text: line breaks and tabs kept, every other control or invisible character escaped. */
export const terminalSafe = (text: string): string => text.replace(UNSAFE_IN_OUTPUT, escape);
