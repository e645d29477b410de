// The command line as typed, kept in JSON documents so that `mmulab report` can say how to reproduce them.

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

export function commandLine(argv: readonly string[]): string {
  return ["mmulab", ...argv].map(shellQuote).join(" ");
}
