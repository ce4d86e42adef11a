import { stripVTControlCharacters } from 'node:util';

/**
 * Left-aligned columns separated by two spaces, headings first. Twenty lines do what a table library would,
 * without a dependency to vet and update; cells may carry colour codes, which do not count towards widths.
 */
export function formatTable(
  headings: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '  ',
): string {
  const width = (text: string) => stripVTControlCharacters(text).length;
  const widths = headings.map((heading, column) =>
    Math.max(width(heading), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - width(cell)),
      )
      .join('  ')
      .trimEnd();
  return [line(headings), ...rows.map(line)].join('\n');
}
