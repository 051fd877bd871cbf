#!/usr/bin/env node
// Part of `npm run lint`: in src/ (tests excepted), every double cast (`as unknown as`),
// `as never` and `any` needs a comment saying why — on its line or the line above.
// Biome has no rule for this; it catches `any` but not double casts.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', 'src');
const ESCAPE = /\bas unknown as\b|\bas never\b|\bas any\b|:\s*any\b|<any>/;

function* sources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) yield full;
  }
}

const explained = (lines, i) => {
  if (/\/\/|\/\*/.test(lines[i].slice(lines[i].search(ESCAPE)))) return true;
  for (let j = i - 1; j >= 0; j--) {
    const above = lines[j].trim();
    if (above === '') continue;
    return above.startsWith('//') || above.endsWith('*/') || above.startsWith('*');
  }
  return false;
};

const problems = [];
for (const file of sources(ROOT)) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (ESCAPE.test(line) && !explained(lines, i)) problems.push(`${path.relative(process.cwd(), file)}:${i + 1}: ${line.trim()}`);
  });
}
if (problems.length > 0) {
  console.error(`check-casts: ${problems.length} cast(s) or any without a comment saying why:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-casts: every double cast and any in src/ says why');
