/** Splits pasted text into e-mail addresses (commas, semicolons, spaces or new lines between them), without repeats. */
export const parseEmails = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter((s) => s.includes('@')),
  ),
];

/** One pasted grade line: understood, or given back as it was. */
export type GradeLine = { email: string; grade: number } | { line: string };

/**
 * Parses lines of `email<TAB>grade` copied from a spreadsheet, or `email,grade` / `email;grade`.
 * A decimal comma is accepted (`4,5`), also after a comma separator (`a@x.org,4,5`).
 */
export function parseGradeLines(text: string): GradeLine[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const parts = line.includes('\t') ? line.split('\t') : line.split(/[;,]/);
      const email = parts[0]?.trim() ?? '';
      const raw = (line.includes('\t') ? parts[1] : parts.slice(1).join('.'))?.trim().replace(',', '.') ?? '';
      const grade = Number(raw);
      return email.includes('@') && raw !== '' && Number.isFinite(grade) ? { email: email.toLowerCase(), grade } : { line };
    });
}
