/**
 * JSON Schema patterns are read by more than one regex engine: ajv here (JavaScript, Unicode
 * mode) and Python's `re` in schemathesis and other clients. `\b`, `\s`, `\d`, `\w` and the `i`
 * flag mean different things in the two, so {@link portablePattern} spells them out as the
 * JavaScript meaning, which both engines then read the same way.
 */

/** JavaScript's `\s`, spelled out. */
export const JS_WHITESPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const WORD = '0-9A-Za-z_';
/** JavaScript's (ASCII) `\b`. */
const BOUNDARY = `(?:(?<![${WORD}])(?=[${WORD}])|(?<=[${WORD}])(?![${WORD}]))`;

/** Both cases of the letters of a character class body (ranges must already come in both cases). */
function caselessClass(body: string): string {
  const hasLower = body.includes('a-z');
  const hasUpper = body.includes('A-Z');
  if (hasLower !== hasUpper) throw new Error(`portablePattern: class [${body}] has one case only`);
  const singles = body.replace(/[a-zA-Z]-[a-zA-Z]/g, '').match(/[A-Za-z]/g) ?? [];
  const missing = singles.map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).filter((c) => !body.includes(c));
  return body + missing.join('');
}

/** The source of `re` rewritten so that JavaScript and Python `re` match the same strings. */
export function portablePattern(re: RegExp): string {
  if (/[gmsuyv]/.test(re.flags.replace(/[gi]/g, ''))) throw new Error(`portablePattern: flags ${re.flags} are not portable`);
  const caseless = re.flags.includes('i');
  const src = re.source;
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[++i]!;
      if (n === 'b') out += BOUNDARY;
      else if (n === 'd') out += '[0-9]';
      else if (n === 'w') out += `[${WORD}]`;
      else if (n === 's') out += `[${JS_WHITESPACE}]`;
      else if (/[A-Za-z0-9]/.test(n)) throw new Error(`portablePattern: \\${n} is not portable`);
      else out += `\\${n}`;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      let body = '';
      for (; j < src.length && src[j] !== ']'; j++) {
        if (src[j] === '\\') {
          const n = src[++j]!;
          if (n === 's') body += JS_WHITESPACE;
          else if (n === 'd') body += '0-9';
          else if (n === 'w') body += WORD;
          else if (/[A-Za-z0-9]/.test(n)) throw new Error(`portablePattern: \\${n} in a class is not portable`);
          else body += `\\${n}`;
        } else body += src[j];
      }
      out += `[${caseless ? caselessClass(body) : body}]`;
      i = j;
      continue;
    }
    if (c === '(' && /^\?<[A-Za-z]/.test(src.slice(i + 1))) throw new Error('portablePattern: named groups are not portable');
    out += caseless && /[A-Za-z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}
