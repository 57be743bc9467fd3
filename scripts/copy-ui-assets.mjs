// Copies the review UI's static files (HTML, CSS) next to its compiled scripts in dist/ui.
import { copyFileSync, mkdirSync } from 'node:fs';
import { URL } from 'node:url';

const from = new URL('../src/ui/', import.meta.url);
const to = new URL('../dist/ui/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const file of ['index.html', 'style.css'])
  copyFileSync(new URL(file, from), new URL(file, to));
