/*
 * What one hostile changelog may cost this check: each parser reads a file within these limits, and a file beyond
 * them is that file's error (never a stack trace, never a hang). Where Liquibase has the same limit, it is Liquibase's.
 */

/**
 * SnakeYAML's nesting depth limit, which Liquibase keeps (parser/core/yaml/YamlParser.java:15-19 at v4.33.0 raises
 * the code point and alias limits only; SnakeYAML's LoaderOptions.nestingDepthLimit defaults to 50, and the
 * Composer stops with "Nesting Depth exceeded max 50" on entering a collection deeper than that).
 */
export const YAML_NESTING_LIMIT = 50

/** Alias expansions while a YAML document becomes data: an alias bomb stops here instead of filling memory. */
export const YAML_ALIAS_LIMIT = 1000

/** XML elements, YAML or JSON collections in one changelog: a changelog is far smaller; a flood stops here. */
export const MAX_ELEMENTS = 200_000

/**
 * A formatted SQL comment line longer than this is refused: Liquibase's line patterns backtrack (quadratically on
 * some lines), so reading a longer one could take hours.
 */
export const MAX_COMMENT_LINE = 10_000

/**
 * How deep the flow collections (`[`, `{`) of a YAML or JSON text nest, and how many there are, read from the text
 * alone (quotes and comments skipped): the YAML parser recurses per level, so a deeper text is refused before it is
 * parsed. Block collections nest by indentation, which a file of bounded size bounds.
 */
export function flowCollections(text: string): { depth: number; count: number } {
  let depth = 0
  let deepest = 0
  let count = 0
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (char === '[' || char === '{') {
      depth++
      count++
      if (depth > deepest) deepest = depth
    } else if (char === ']' || char === '}') {
      if (depth > 0) depth--
    } else if (char === '"') {
      for (index++; index < text.length && text[index] !== '"'; index++) if (text[index] === '\\') index++
    } else if (char === "'" && (index === 0 || /[\s[{,:]/.test(text[index - 1]))) {
      for (index++; index < text.length; index++) {
        if (text[index] === "'") {
          if (text[index + 1] !== "'") break
          index++
        }
      }
    } else if (char === '#' && (index === 0 || /\s/.test(text[index - 1]))) {
      const end = text.indexOf('\n', index)
      index = end < 0 ? text.length : end
    }
  }
  return { depth: deepest, count }
}

/** Elements in an XML text, counted as start tags (`<` and a name character): a cheap bound before parsing. */
export function xmlElementCount(text: string): number {
  let count = 0
  for (let index = text.indexOf('<'); index >= 0; index = text.indexOf('<', index + 1)) {
    const next = text.charCodeAt(index + 1)
    // A name starts with a letter, `_` or `:` (or a non-ASCII character); `</`, `<!` and `<?` are not elements.
    if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95 || next === 58 || next > 127) count++
  }
  return count
}
