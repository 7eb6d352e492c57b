/** Counting by hand, character by character, so the work is in the guest's JS (no native regex fast path). */

export interface Counts {
  words: number;
  chars: number;
  lines: number;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

/** Words are maximal runs of non-whitespace; chars are code points; lines are `\n`-separated. */
export function countText(text: string): Counts {
  let words = 0;
  let chars = 0;
  let lines = text.length > 0 ? 1 : 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (code < 0xdc00 || code > 0xdfff) chars++;
    if (code === 10) lines++;
    if (isSpace(code)) {
      inWord = false;
    } else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return { words, chars, lines };
}
