/** Builds DIR/package and DIR/sqlprobe.zip from the repository at root; returns what it staged. */
export function stage(out?: string, root?: string): { dir: string; zip: string; files: number; bytes: number; zipBytes: number };
/** What must not be in a staged package: dev dependencies, a node binary, or no compiled functions. */
export function packageProblems(dir: string, lock: { packages?: Record<string, { dev?: boolean }> }): string[];
/** Every file below dir, as sorted '/'-separated relative paths. Symbolic links are refused. */
export function listFiles(dir: string): string[];
/** Writes the files (relative to dir) into a zip archive. */
export function writeZip(dir: string, files: string[], zipPath: string): void;
