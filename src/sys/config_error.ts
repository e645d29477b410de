// A leaf of the tree (ARCHITECTURE.md): the error every layer raises for bad input it is given — a command line, a
// configuration, a mount — so that the CLI can report it as one line and exit status 2, never as a stack trace.

/** An invalid configuration or command line: reported as one line, never as a stack trace. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
