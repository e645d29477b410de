// Quoting for a POSIX shell, for the command lines mmulab writes into documents and batch scripts.

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}
