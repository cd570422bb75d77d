/** Lines of a SQL file with their 1-based numbers, for tools whose directives are SQL comments. */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text.split('\n').map((line, index) => ({ line: index + 1, text: line.replace(/\r$/, '') }))
}
